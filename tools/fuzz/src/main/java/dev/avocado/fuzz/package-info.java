/**
 * Jazzer harnesses, one class per parser that faces the network. Each feeds the fuzzer's bytes to the
 * parser as a peer would send them; the parser's own refusal (its checked exception, or the
 * IllegalArgumentException it documents) is the expected answer to bad input, and anything else it
 * throws is a finding.
 */
package dev.avocado.fuzz;

package dev.avocado.tools;

import picocli.CommandLine.Command;

@Command(name = "bench", description = "Benchmarks (ratios measured in one run; see docs/).", mixinStandardHelpOptions = true,
        subcommands = {BootBench.class, TpmBench.class, FactoryBench.class, BrskiBench.class, OnboardBench.class,
            TlsBench.class, CryptoBench.class, SoakBench.class, ScaleBench.class})
final class BenchCommand {
}

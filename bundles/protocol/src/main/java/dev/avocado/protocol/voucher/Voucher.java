package dev.avocado.protocol.voucher;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

/**
 * A voucher (RFC 8366, root {@code ietf-voucher:voucher}) or voucher request (RFC 8995, root
 * {@code ietf-voucher-request:voucher}). Binary fields are the decoded bytes; times keep their offset.
 * Parsing is strict: an unknown root or field, a missing required field, a date that is not RFC 3339,
 * a nonce longer than 32 bytes are errors that name the field.
 */
public record Voucher(Kind kind, OffsetDateTime createdOn, OffsetDateTime expiresOn, String assertion,
        String serialNumber, byte[] idevidIssuer, byte[] pinnedDomainCert, Boolean domainCertRevocationChecks,
        String nonce, OffsetDateTime lastRenewalDate, byte[] proximityRegistrarCert, byte[] priorSignedVoucherRequest) {

    /** Which of the two documents. */
    public enum Kind {
        VOUCHER("ietf-voucher:voucher"), REQUEST("ietf-voucher-request:voucher");

        private final String root;

        Kind(String root) {
            this.root = root;
        }

        public String root() {
            return root;
        }
    }

    public static final Set<String> ASSERTIONS = Set.of("verified", "logged", "proximity");

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> VOUCHER_FIELDS = Set.of("created-on", "expires-on", "assertion", "serial-number",
            "idevid-issuer", "pinned-domain-cert", "domain-cert-revocation-checks", "nonce", "last-renewal-date");
    private static final Set<String> REQUEST_FIELDS = Set.of("created-on", "expires-on", "assertion", "serial-number",
            "idevid-issuer", "pinned-domain-cert", "domain-cert-revocation-checks", "nonce", "last-renewal-date",
            "proximity-registrar-cert", "prior-signed-voucher-request");

    /** A voucher request with the fields a pledge or registrar sets. */
    public static Voucher request(OffsetDateTime createdOn, String assertion, String serialNumber, byte[] idevidIssuer,
            String nonce, byte[] proximityRegistrarCert, byte[] priorSignedVoucherRequest) {
        return new Voucher(Kind.REQUEST, createdOn, null, assertion, serialNumber, idevidIssuer, null, null, nonce, null,
                proximityRegistrarCert, priorSignedVoucherRequest);
    }

    /** A voucher as a MASA issues it. */
    public static Voucher voucher(OffsetDateTime createdOn, OffsetDateTime expiresOn, String assertion, String serialNumber,
            byte[] idevidIssuer, byte[] pinnedDomainCert, String nonce) {
        return new Voucher(Kind.VOUCHER, createdOn, expiresOn, assertion, serialNumber, idevidIssuer, pinnedDomainCert,
                null, nonce, null, null, null);
    }

    /** The JSON, fields in the order of the YANG modules. */
    public byte[] toJson() {
        ObjectNode body = JSON.createObjectNode();
        if (createdOn != null) {
            body.put("created-on", rfc3339(createdOn));
        }
        if (expiresOn != null) {
            body.put("expires-on", rfc3339(expiresOn));
        }
        if (assertion != null) {
            body.put("assertion", assertion);
        }
        body.put("serial-number", serialNumber);
        putBinary(body, "idevid-issuer", idevidIssuer);
        putBinary(body, "pinned-domain-cert", pinnedDomainCert);
        if (domainCertRevocationChecks != null) {
            body.put("domain-cert-revocation-checks", domainCertRevocationChecks);
        }
        if (nonce != null) {
            body.put("nonce", nonce);
        }
        if (lastRenewalDate != null) {
            body.put("last-renewal-date", rfc3339(lastRenewalDate));
        }
        putBinary(body, "proximity-registrar-cert", proximityRegistrarCert);
        putBinary(body, "prior-signed-voucher-request", priorSignedVoucherRequest);
        ObjectNode root = JSON.createObjectNode();
        root.set(kind.root(), body);
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void putBinary(ObjectNode node, String name, byte[] value) {
        if (value != null) {
            node.put(name, Base64.getEncoder().encodeToString(value));
        }
    }

    /**
     * Parses a voucher or voucher request; which one the root says.
     *
     * @throws VoucherException naming the field and the problem
     */
    public static Voucher parse(byte[] json) throws VoucherException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new VoucherException("not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
        if (root == null || !root.isObject() || root.size() != 1) {
            throw new VoucherException("the JSON must be an object with one member, ietf-voucher:voucher or "
                    + "ietf-voucher-request:voucher");
        }
        String name = root.fieldNames().next();
        Kind kind = name.equals(Kind.VOUCHER.root()) ? Kind.VOUCHER : name.equals(Kind.REQUEST.root()) ? Kind.REQUEST : null;
        if (kind == null) {
            throw new VoucherException("unknown root '" + name + "' (expected ietf-voucher:voucher or ietf-voucher-request:voucher)");
        }
        JsonNode body = root.get(name);
        if (!body.isObject()) {
            throw new VoucherException(name + " is not an object");
        }
        Set<String> allowed = kind == Kind.VOUCHER ? VOUCHER_FIELDS : REQUEST_FIELDS;
        for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw new VoucherException("unknown field '" + field + "' in " + name);
            }
        }
        String assertion = text(body, "assertion");
        if (assertion != null && !ASSERTIONS.contains(assertion)) {
            throw new VoucherException("assertion '" + assertion + "' is not verified, logged or proximity");
        }
        String serial = text(body, "serial-number");
        if (serial == null || serial.isEmpty()) {
            throw new VoucherException("serial-number is missing");
        }
        String nonce = text(body, "nonce");
        if (nonce != null) {
            checkNonce(nonce);
        }
        Voucher v = new Voucher(kind, date(body, "created-on"), date(body, "expires-on"), assertion, serial,
                binary(body, "idevid-issuer"), binary(body, "pinned-domain-cert"), bool(body, "domain-cert-revocation-checks"),
                nonce, date(body, "last-renewal-date"), binary(body, "proximity-registrar-cert"),
                binary(body, "prior-signed-voucher-request"));
        if (kind == Kind.VOUCHER) {
            if (v.createdOn() == null) {
                throw new VoucherException("created-on is missing");
            }
            if (assertion == null) {
                throw new VoucherException("assertion is missing");
            }
            if (v.pinnedDomainCert() == null) {
                throw new VoucherException("pinned-domain-cert is missing");
            }
        }
        return v;
    }

    /** The nonce's value is opaque, but it is binary in the YANG model: base64 of at most 32 bytes. */
    private static void checkNonce(String nonce) throws VoucherException {
        byte[] raw;
        try {
            String s = nonce.replace('-', '+').replace('_', '/');
            raw = Base64.getDecoder().decode(s + "=".repeat((4 - s.length() % 4) % 4));
        } catch (IllegalArgumentException e) {
            throw new VoucherException("nonce is not base64");
        }
        if (raw.length > 32) {
            throw new VoucherException("nonce has " + raw.length + " bytes; at most 32 are allowed");
        }
    }

    private static String text(JsonNode body, String field) throws VoucherException {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new VoucherException(field + " is not a string");
        }
        return n.asText();
    }

    private static Boolean bool(JsonNode body, String field) throws VoucherException {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isBoolean()) {
            throw new VoucherException(field + " is not a boolean");
        }
        return n.asBoolean();
    }

    private static OffsetDateTime date(JsonNode body, String field) throws VoucherException {
        String s = text(body, field);
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            throw new VoucherException(field + " '" + s + "' is not an RFC 3339 date-time");
        }
    }

    private static byte[] binary(JsonNode body, String field) throws VoucherException {
        String s = text(body, field);
        if (s == null) {
            return null;
        }
        try {
            return Base64.getMimeDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new VoucherException(field + " is not base64");
        }
    }

    /**
     * RFC 3339 in whole seconds: strict parsers (strptime without %f, as in nqminds/brski) read it;
     * any precision is read back.
     */
    static String rfc3339(OffsetDateTime t) {
        return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}

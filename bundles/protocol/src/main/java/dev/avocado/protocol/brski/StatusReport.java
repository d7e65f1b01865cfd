package dev.avocado.protocol.brski;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A voucher_status or enrollstatus report (RFC 8995 sections 5.7, 5.9.4): {@code {"version": "1",
 * "status": true|false, "reason": ..., "reason-context": {...}}}.
 */
public record StatusReport(String version, boolean status, String reason, Map<String, String> reasonContext) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode().put("version", version).put("status", status).put("reason", reason);
        ObjectNode ctx = n.putObject("reason-context");
        reasonContext.forEach(ctx::put);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @throws IOException naming what is wrong
     */
    public static StatusReport parse(byte[] json) throws IOException {
        JsonNode n = JSON.readTree(json);
        if (n == null || !n.isObject() || !n.has("status") || !n.get("status").isBoolean()) {
            throw new IOException("a status report is a JSON object with a boolean \"status\"");
        }
        java.util.Map<String, String> ctx = new java.util.LinkedHashMap<>();
        JsonNode c = n.get("reason-context");
        if (c != null && c.isObject()) {
            c.fields().forEachRemaining(e -> ctx.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        }
        return new StatusReport(n.path("version").asText("1"), n.get("status").asBoolean(), n.path("reason").asText(""), ctx);
    }
}

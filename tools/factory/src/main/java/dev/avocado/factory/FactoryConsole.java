package dev.avocado.factory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.x509.Names;
import dev.avocado.server.ConsoleAuth;
import dev.avocado.server.ConsolePages;
import dev.avocado.server.HttpsServer;
import dev.avocado.server.HttpsServer.Exchange;
import dev.avocado.server.HttpsServer.Reply;
import dev.avocado.server.Rejection;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manufacturer's console in the factory service, at {@code /console} on its TLS port: the device
 * database searched by serial, a live IDevID revoked, serials added to the production plan (the
 * allowlist). Sign-in and the checks on every change are {@link ConsolePages}'.
 */
final class FactoryConsole {

    private static final Logger LOG = LoggerFactory.getLogger(FactoryConsole.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many devices one answer lists, the newest first. */
    static final int ROWS = 500;

    private final DeviceRegistry registry;
    private final boolean open;
    private final ConsolePages pages;

    /** @param open true when the service issues to any serial (--open), so the plan is not consulted */
    FactoryConsole(DeviceRegistry registry, boolean open) throws IOException {
        this.registry = registry;
        this.open = open;
        this.pages = new ConsolePages(new ConsoleAuth(registry.database(), "factory", "factory console-password"), "factory",
                FactoryConsole.class);
    }

    HttpsServer.Builder routes(HttpsServer.Builder b) {
        return pages.routes(b)
                .route("GET", ConsolePages.API + "/devices", "console", pages.read((ex, s) -> devices(ex)))
                .route("POST", ConsolePages.API + "/revoke", "console", pages.change((ex, s) -> revoke(ex)))
                .route("POST", ConsolePages.API + "/allow", "console", pages.change((ex, s) -> allow(ex)));
    }

    private Reply devices(Exchange ex) throws Exception {
        String serial = ex.query().getOrDefault("serial", "").trim();
        ObjectNode out = JSON.createObjectNode();
        out.put("plan", open ? "open: any serial (--open)" : "the production plan (allowlist)");
        out.put("now", OffsetDateTime.now().toString());
        ArrayNode list = out.putArray("devices");
        for (DeviceRegistry.Device d : registry.search(serial, ROWS)) {
            ObjectNode o = list.addObject();
            o.put("serial", d.serial());
            o.put("status", d.status());
            o.put("subject", Names.display(d.certificate().getSubjectX500Principal()));
            o.put("certificateSerial", d.certificate().getSerialNumber().toString(16));
            o.put("keySha256", d.keySha256());
            o.put("issuedAt", d.issuedAt().toString());
            o.put("requestedFrom", d.requestedFrom());
            o.put("dppUri", d.dppUri());
            o.put("recordedAt", d.recordedAt() == null ? null : d.recordedAt().toString());
        }
        ArrayNode plan = out.putArray("allowed");
        registry.allowedSerials(serial, ROWS).forEach(plan::add);
        return Reply.json(200, out.toString());
    }

    private Reply revoke(Exchange ex) throws Exception {
        String serial = serial(ConsolePages.field(ex, "serial"));
        String reason = ConsolePages.field(ex, "reason").trim();
        if (reason.isEmpty() || reason.length() > 200) {
            throw new Rejection(400, "a revocation needs a reason of 1 to 200 characters");
        }
        if (!registry.revoke(serial, reason + " (console, from " + ex.remoteAddress() + ")")) {
            throw new Rejection(409, "serial " + serial + " has no live IDevID; nothing changed");
        }
        LOG.info("O.6 IDevID of serial {} revoked in the console (from {}): {}", serial, ex.remoteAddress(), reason);
        return Reply.text(200, "the IDevID of serial " + serial + " is revoked; the serial may enroll again");
    }

    private Reply allow(Exchange ex) throws Exception {
        List<String> serials = List.of(ConsolePages.field(ex, "serials").trim().split("[\\s,]+"));
        for (String s : serials) {
            serial(s);
        }
        int added = registry.allow(serials);
        LOG.info("O.4 {} serials added to the production plan in the console (from {}): {}", added, ex.remoteAddress(), serials);
        return Reply.text(200, added + " of " + serials.size() + " serials added to the production plan");
    }

    private static String serial(String s) throws Rejection {
        try {
            return IdevidProfile.checkSerial(s);
        } catch (ProfileException e) {
            throw new Rejection(400, e.getMessage());
        }
    }
}

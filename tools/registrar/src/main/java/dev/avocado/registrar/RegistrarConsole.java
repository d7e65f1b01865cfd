package dev.avocado.registrar;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.server.ConsoleAuth;
import dev.avocado.server.ConsolePages;
import dev.avocado.server.HttpsServer;
import dev.avocado.server.HttpsServer.Exchange;
import dev.avocado.server.HttpsServer.Reply;
import dev.avocado.server.Rejection;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner's console in the registrar, at {@code /console} on its TLS port: the pledges as they
 * arrive (polled by the page every second), and the approval or refusal of a pending one. Sign-in
 * and the checks on every change are {@link ConsolePages}'; what is shown and decided is
 * {@link ConsoleView}'s.
 */
final class RegistrarConsole {

    private static final Logger LOG = LoggerFactory.getLogger(RegistrarConsole.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PledgeRegistry registry;
    private final RegistrarService.Approval approval;
    private final ConsolePages pages;

    RegistrarConsole(PledgeRegistry registry, RegistrarService.Approval approval) throws IOException {
        this.registry = registry;
        this.approval = approval;
        this.pages = new ConsolePages(new ConsoleAuth(registry.database(), "registrar", "registrar console-password"), "registrar",
                RegistrarConsole.class);
    }

    HttpsServer.Builder routes(HttpsServer.Builder b) {
        return pages.routes(b)
                .route("GET", ConsolePages.API + "/pledges", "console", pages.read((ex, s) -> pledges()))
                .route("POST", ConsolePages.API + "/approve", "C.3 console", pages.change((ex, s) -> decide(ex, true)))
                .route("POST", ConsolePages.API + "/refuse", "C.3 console", pages.change((ex, s) -> decide(ex, false)));
    }

    private Reply pledges() throws Exception {
        ObjectNode out = JSON.createObjectNode();
        out.put("approval", approval.name().toLowerCase(Locale.ROOT));
        out.put("now", OffsetDateTime.now().toString());
        ArrayNode list = out.putArray("pledges");
        for (ConsoleView.Row r : registry.database().transaction(ConsoleView::rows)) {
            ObjectNode p = list.addObject();
            p.put("serial", r.serial());
            p.put("manufacturer", r.manufacturer());
            p.put("state", r.state());
            p.put("firstSeen", r.firstSeen().toString());
            p.put("lastSeen", r.lastSeen().toString());
            p.put("remote", r.remote());
            p.put("reason", r.reason());
            r.voucher().ifPresent(v -> p.putObject("voucher").put("assertion", v.assertion())
                    .put("deliveredAt", v.deliveredAt().toString())
                    .put("expiresOn", v.expiresOn() == null ? null : v.expiresOn().toString()));
            r.ldevid().ifPresent(l -> p.putObject("ldevid").put("certificateSerial", l.certificateSerial())
                    .put("issuedAt", l.issuedAt().toString()).put("notAfter", l.notAfter().toString()));
        }
        return Reply.json(200, out.toString());
    }

    private Reply decide(Exchange ex, boolean approve) throws Exception {
        String serial = ConsolePages.field(ex, "serial");
        try {
            IdevidProfile.checkSerial(serial);
        } catch (ProfileException e) {
            throw new Rejection(400, e.getMessage());
        }
        registry.database().transaction(c -> {
            try {
                if (approve) {
                    ConsoleView.approve(c, serial);
                } else {
                    ConsoleView.refuse(c, serial);
                }
            } catch (Rejection r) {
                throw new Rejection.InTransaction(r);
            }
            return null;
        });
        String what = approve ? "approved" : "refused";
        LOG.info("C.3 serial {} {} by the owner in the console (from {})", serial, what, ex.remoteAddress());
        return Reply.text(200, "serial " + serial + " " + what);
    }
}

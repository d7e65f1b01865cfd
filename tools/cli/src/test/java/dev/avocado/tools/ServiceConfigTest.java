package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.launcher.DeviceImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The servers as services run them: every option from a configuration file (--config), logs as logfmt
 * lines with the step and the serial, GET /metrics in the Prometheus text format on a loopback listener
 * of its own. A device provisions and onboards; the metrics count what each server answered and issued;
 * a mistyped option in a file is refused by name.
 */
public class ServiceConfigTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static String scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse(""), r.headers().firstValue("Content-Type").orElse("")
                .startsWith("text/plain; version=0.0.4"));
        return r.body();
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(metrics);
        assertTrue(series + " in:\n" + metrics, m.find());
        return Double.parseDouble(m.group(1));
    }

    private Path conf(String name, String text) throws Exception {
        Path f = tmp.getRoot().toPath().resolve(name + ".conf");
        Files.writeString(f, text);
        return f;
    }

    @Test
    public void serversRunFromTheirConfigFilesLogLogfmtAndCountWhatTheyDidInMetrics() throws Exception {
        try (OnboardingTest.Services s = new OnboardingTest.Services(tmp.newFolder("pki").toPath())) {
            int[] metricsPorts = {Cli.freePort(), Cli.freePort(), Cli.freePort()};
            String pki = s.pki.folder().toString();
            List<Cli.Background> servers = new ArrayList<>();
            servers.add(Cli.serve(null, "factory provisioning service: https://", "factory", "serve", "--config",
                    conf("factory", "pki = " + pki + "\nopen = true\nmetrics = 127.0.0.1:" + metricsPorts[0]
                            + "\nlog-format = logfmt\n").toString()));
            servers.add(Cli.serve(null, "MASA: https://", "masa", "serve", "--config", conf("masa", "pki = " + pki
                    + "\nownership = first-claim\nmetrics = " + metricsPorts[1] + "\nlog-format = logfmt\n").toString()));
            // the command line wins over the file (approval), and a list takes commas (none here: one manufacturer)
            servers.add(Cli.serve(null, "registrar: https://", "registrar", "serve", "--approval", "auto", "--config",
                    conf("registrar", "# the owner's registrar\npki = " + pki + "\napproval = manual\nno-dns-sd = true\n"
                            + "metrics = 127.0.0.1:" + metricsPorts[2] + "\nlog-format = logfmt\n").toString()));
            try {
                servers.get(2).awaitLine(l -> l.equals("registrar metrics: http://127.0.0.1:" + metricsPorts[2] + "/metrics"),
                        20_000);
                assertTrue(servers.get(2).output(), servers.get(2).output().contains("(approval auto"));

                DeviceImage image = new ImageBuilder(s.pki, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                        .build(tmp.getRoot().toPath().resolve("device"), null, false, "soft", null, null,
                                MprAnchoring.Content.CERTIFICATE, "SN-SVC-1");
                DeviceConfig.onboarding(image, s.registrarUrl(), null, null, "radius.example");
                Cli.Run boot = Cli.run("device", "boot", "--image", image.root().toString(), "--batch", "--until", "onboarded",
                        "--timeout", "120");
                assertEquals(boot.output(), 0, boot.code());

                String factory = scrape(metricsPorts[0]);
                assertEquals(1.0, value(factory, "avocado_issued_total{kind=\"idevid\",service=\"factory\"}"), 0);
                assertEquals(1.0, value(factory, "avocado_requests_total{service=\"factory\",status=\"200\",step=\"O.4\"}"), 0);
                String masa = scrape(metricsPorts[1]);
                assertEquals(1.0, value(masa, "avocado_issued_total{kind=\"voucher\",service=\"masa\"}"), 0);
                String registrar = scrape(metricsPorts[2]);
                assertEquals(1.0, value(registrar, "avocado_issued_total{kind=\"voucher\",service=\"registrar\"}"), 0);
                assertEquals(1.0, value(registrar, "avocado_issued_total{kind=\"ldevid\",service=\"registrar\"}"), 0);
                assertEquals(1.0, value(registrar, "avocado_requests_total{service=\"registrar\",status=\"200\",step=\"C.3\"}"), 0);
                assertTrue(registrar, value(registrar, "avocado_request_duration_seconds_count{service=\"registrar\",step=\"D.4\"}")
                        >= 1);
                // the metrics listener serves nothing else, and the TLS port does not serve the metrics
                HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + metricsPorts[2] + "/console")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(404, other.statusCode());

                // logfmt: the registrar's C.3 and D.5 lines name the step and the serial as fields
                String log = servers.get(2).output();
                assertTrue(log, Pattern.compile("(?m)^time=\\S+ level=INFO logger=RegistrarService step=C\\.3 serial=SN-SVC-1 "
                        + "msg=\"C\\.3 voucher request of serial SN-SVC-1 from 127\\.0\\.0\\.1 is well formed\"$").matcher(log).find());
                assertTrue(log, Pattern.compile("(?m)^time=\\S+ level=INFO logger=EstCa step=D\\.5 serial=SN-SVC-1 msg=\"D\\.5 LDevID ")
                        .matcher(log).find());
                assertTrue(servers.get(0).output(), Pattern.compile("(?m)^time=\\S+ level=INFO logger=FactoryService step=O\\.6 "
                        + "serial=SN-SVC-1 ").matcher(servers.get(0).output()).find());
            } finally {
                for (Cli.Background b : servers) {
                    b.close();
                }
            }
        }
    }

    @Test
    public void aMistypedOptionInTheFileIsRefusedByName() throws Exception {
        Path f = conf("registrar", "pki = /nonexistent\naproval = manual\n");
        Cli.Run r = Cli.run("registrar", "serve", "--config", f.toString());
        assertNotEquals(r.output(), 0, r.code());
        assertTrue(r.output(), r.output().contains("avocado: --config " + f + ": 'aproval' is no option of 'avocado registrar serve' "
                + "(see avocado registrar serve --help)"));
        f = conf("factory", "pki = /nonexistent\nopen = yes\n");
        r = Cli.run("factory", "serve", "--config", f.toString());
        assertTrue(r.output(), r.output().contains("open is a flag: true or false, not 'yes'"));
        r = Cli.run("masa", "serve", "--config", "/nonexistent/masa.conf");
        assertTrue(r.output(), r.output().contains("avocado: --config /nonexistent/masa.conf: no such file"));
    }
}

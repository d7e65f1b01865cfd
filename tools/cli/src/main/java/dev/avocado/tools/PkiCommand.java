package dev.avocado.tools;

import dev.avocado.server.Pki;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "pki", description = "The manufacturer's (and later the network owner's) certificates and keys.",
        mixinStandardHelpOptions = true, subcommands = {PkiCommand.Init.class, PkiCommand.MoveToToken.class})
final class PkiCommand {

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Creates the manufacturer's credentials (root = MPR, firmware signer, IDevID CA, factory TLS, "
                    + "MASA signer and TLS) and the network owner's (domain CA, registrar TLS, registrar signer with id-kp-cmcRA).")
    static final class Init implements Callable<Integer> {

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The PKI folder to create.")
        Path out;

        @Option(names = "--provisioning-url", paramLabel = "URL", defaultValue = "https://127.0.0.1:8443",
                description = "Base address of the IDevID provisioning service, put in the MPR: an https:// URI, "
                        + "or an IP address or DNS name (then port 443). Default: ${DEFAULT-VALUE}.")
        String provisioningUrl;

        @Option(names = "--masa-url", paramLabel = "HOST:PORT|URL", defaultValue = "127.0.0.1:8444",
                description = "The MASA the IDevIDs name (id-pe-masa-url). Default: ${DEFAULT-VALUE}.")
        String masaUrl;

        @Option(names = "--registrar-url", paramLabel = "URL", defaultValue = "https://127.0.0.1:8445",
                description = "The network owner's registrar (its TLS certificate names the host). Default: ${DEFAULT-VALUE}.")
        String registrarUrl;

        @Option(names = "--owner", paramLabel = "NAME", defaultValue = "Avocado Demo Owner",
                description = "The network owner's organization name. Default: ${DEFAULT-VALUE}.")
        String owner;

        @Option(names = "--manufacturer", paramLabel = "NAME", defaultValue = "Avocado Demo Manufacturer",
                description = "Organization name in the certificates. Default: ${DEFAULT-VALUE}.")
        String manufacturer;

        @Option(names = "--force", description = "Replace an existing PKI in DIR.")
        boolean force;

        @picocli.CommandLine.ArgGroup(exclusive = false, heading = "Keys in an HSM (PKCS#11):%n")
        Token token;

        /** The token that makes and keeps the servers' signing keys. */
        static final class Token {
            @Option(names = "--pkcs11-module", required = true, paramLabel = "FILE", description = "The PKCS#11 module, for "
                    + "example /usr/lib/softhsm/libsofthsm2.so or an HSM vendor's. The IDevID CA, MASA signer, domain CA and "
                    + "registrar signer keys are made in its token and never exist as files.")
            Path module;

            @Option(names = "--pkcs11-token", required = true, paramLabel = "LABEL", description = "The token's label.")
            String label;

            @Option(names = "--pkcs11-pin-file", required = true, paramLabel = "FILE", description = "A file (owner-only) "
                    + "with the token's user PIN; the servers read it at start, so it must stay.")
            Path pinFile;
        }

        @Override
        public Integer call() throws Exception {
            Pki pki = new Pki(out);
            if (pki.exists() && !force) {
                System.err.println("avocado pki init: " + pki.folder() + " holds a PKI already (use --force to replace it)");
                return 1;
            }
            pki.init(manufacturer, provisioningUrl, masaUrl, owner, registrarUrl, token == null ? null
                    : new dev.avocado.server.TokenKeys.Config(token.module, token.label, token.pinFile));
            System.out.println("PKI:          " + pki.folder());
            System.out.println("MPR:          " + pki.mpr());
            System.out.println("provisioning: " + provisioningUrl);
            for (String name : Pki.IN_TOKEN) {
                String party = Pki.partyOf(name);
                System.out.printf("%-13s %s%n", name + ":", party + "/" + name + ", key in " + pki.keyLocation(party, name));
            }
            return 0;
        }
    }

    @Command(name = "move-to-token", mixinStandardHelpOptions = true,
            description = "Moves private keys of an existing PKI from their files into a PKCS#11 token (an HSM): each is "
                    + "made sensitive and not extractable there, its file overwritten and deleted; the servers then sign "
                    + "in the token. Stop the servers that use them first.")
    static final class MoveToToken implements Callable<Integer> {

        @Option(names = "--pki", required = true, paramLabel = "DIR", description = "The PKI folder (pki init).")
        Path pki;

        @Option(names = "--key", paramLabel = "NAME", split = ",", description = "The keys to move. Default: the "
                + "servers' signing keys, ${DEFAULT-VALUE}.", defaultValue = "idevid-ca,masa,domain-ca,registrar")
        java.util.List<String> keys;

        @picocli.CommandLine.ArgGroup(exclusive = false, multiplicity = "1", heading = "The token (PKCS#11):%n")
        Init.Token token;

        @Override
        public Integer call() throws Exception {
            Pki p = new Pki(pki);
            dev.avocado.server.TokenKeys t = dev.avocado.server.TokenKeys.open(
                    new dev.avocado.server.TokenKeys.Config(token.module, token.label, token.pinFile));
            for (String name : keys) {
                p.moveToToken(Pki.partyOf(name), name, t);
                System.out.println(Pki.partyOf(name) + "/" + name + ": key moved into " + t.config().describe()
                        + "; its file is gone");
            }
            return 0;
        }
    }
}

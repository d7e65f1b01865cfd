package dev.avocado.tools;

import dev.avocado.api.mpr.MprAnchor;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.tpm.NvPublic;
import dev.avocado.tpm.Tpm;
import dev.avocado.tpm.TpmException;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the MPR into the device's TPM at image build and write-locks it (TPMA_NV_WRITEDEFINE +
 * TPM2_NV_WriteLock): from then on the TPM refuses any other MPR, and the device refuses a partition
 * one whose MPR differs.
 */
final class MprAnchoring {

    static final String PREFIX = "tpm-nv:";
    static final String DEFAULT = PREFIX + "0x01800100";

    /** What the NV index holds: the certificates (readable by the NV MPR reader) or their SHA-256. */
    enum Content {
        CERTIFICATE, DIGEST
    }

    private MprAnchoring() {
    }

    /**
     * @param anchor {@code tpm-nv:INDEX}
     * @return a line saying what was done
     * @throws IOException naming the index and what the TPM said
     */
    static String anchor(String tcti, String anchor, List<X509Certificate> mpr, Content content) throws IOException {
        if (!anchor.startsWith(PREFIX)) {
            throw new IllegalArgumentException("--anchor-mpr must be tpm-nv:INDEX, not '" + anchor + "'");
        }
        int index = Tpm.handle(anchor.substring(PREFIX.length()));
        byte[] der = MprProfile.der(mpr);
        byte[] data = content == Content.DIGEST ? MprProfile.sha256(der) : der;
        try (Tpm tpm = Tpm.open(tcti)) {
            NvPublic nv = tpm.nv().readPublic(index);
            if (nv != null && !nv.platformCreated()) {
                throw new IOException(String.format("cannot anchor the MPR in %s: the index exists (attributes 0x%08x) but "
                        + "the owner made it, and any process with owner authorization could undefine it and make it again; "
                        + "undefine it (tpm2_nvundefine %s) and build again", anchor, nv.attributes(),
                        anchor.substring(PREFIX.length())));
            }
            if (nv == null) {
                tpm.nv().define(index, data.length);
            } else if (nv.written() && nv.size() == data.length && Arrays.equals(tpm.nv().read(index), data)) {
                if (!nv.writeLocked()) {
                    tpm.nv().writeLock(index);
                }
                requireLockedForGood(tpm, index, anchor);
                return anchor + " holds this MPR already (write-locked)";
            } else if (nv.size() != data.length && !nv.writeLocked()) {
                throw new IOException(anchor + " has " + nv.size() + " bytes; this MPR needs " + data.length);
            }
            tpm.nv().write(index, data);
            tpm.nv().writeLock(index);
            requireLockedForGood(tpm, index, anchor);
            return anchor + ": MPR written (" + data.length + " bytes, " + content.name().toLowerCase()
                    + ") and write-locked";
        } catch (TpmException e) {
            throw new IOException("cannot anchor the MPR in " + anchor + ": " + e.getMessage(), e);
        }
    }

    /** The p1/firmware.properties line that makes the device insist on the anchor. */
    static String firmwareProperty(String anchor) {
        return MprAnchor.FIRMWARE_PROPERTY + "=" + anchor + "\n";
    }

    /**
     * The device takes the anchor only when it is locked for good ({@link NvPublic#lockedForGood}); the
     * build says so now rather than leave a device that refuses to boot (an index made by another tool
     * with AUTHWRITE, or without WRITEDEFINE, passes PLATFORMCREATE but not that).
     */
    private static void requireLockedForGood(Tpm tpm, int index, String anchor) throws IOException, TpmException {
        NvPublic nv = tpm.nv().readPublic(index);
        if (nv == null || !nv.lockedForGood()) {
            throw new IOException(String.format("%s is not locked for good (attributes 0x%08x): the device needs "
                    + "PLATFORMCREATE, POLICY_DELETE, WRITEDEFINE, WRITELOCKED and WRITTEN, and no OWNERWRITE, AUTHWRITE or "
                    + "POLICYWRITE; undefine it with platform authorization and build again", anchor,
                    nv == null ? 0 : nv.attributes()));
        }
    }
}

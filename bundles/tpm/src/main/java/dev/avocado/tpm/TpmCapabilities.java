package dev.avocado.tpm;

import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.avocado.tpm.tss.Esys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one connection's TPM is and holds: TPM2_GetCapability (properties, handles) and TPM2_ReadPublic.
 * Called under the connection's lock.
 */
final class TpmCapabilities {

    private final Tpm tpm;

    TpmCapabilities(Tpm tpm) {
        this.tpm = tpm;
    }

    TpmInfo info() throws TpmException {
        Map<Integer, Integer> p = properties(Tpm2.PT_FAMILY_INDICATOR, 64);
        Map<Integer, Integer> v = properties(Tpm2.PT_PERMANENT, 32);
        StringBuilder vendor = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            vendor.append(Tpm.ascii(p.getOrDefault(Tpm2.PT_VENDOR_STRING_1 + i, 0)));
        }
        int fw1 = p.getOrDefault(Tpm2.PT_FIRMWARE_VERSION_1, 0);
        int fw2 = p.getOrDefault(Tpm2.PT_FIRMWARE_VERSION_2, 0);
        int rev = p.getOrDefault(Tpm2.PT_REVISION, 0);
        return new TpmInfo(Tpm.ascii(p.getOrDefault(Tpm2.PT_MANUFACTURER, 0)).strip(), vendor.toString().strip(),
                (fw1 >>> 16) + "." + (fw1 & 0xffff) + "." + (fw2 >>> 16) + "." + (fw2 & 0xffff),
                (rev / 100) + "." + String.format("%02d", rev % 100),
                v.getOrDefault(Tpm2.PT_LOCKOUT_COUNTER, 0), v.getOrDefault(Tpm2.PT_MAX_AUTH_FAIL, 0));
    }
    List<Integer> handles(int first) throws TpmException {
        List<Integer> result = new ArrayList<>();
        TpmReader r = new TpmReader(capability(Tpm2.CAP_HANDLES, first, 254), "TPMS_CAPABILITY_DATA");
        r.u32();
        int count = r.u32();
        for (int i = 0; i < count; i++) {
            int h = r.u32();
            if ((h & 0xFF000000) == (first & 0xFF000000)) {
                result.add(h);
            }
        }
        return result;
    }
    Map<Integer, Integer> properties(int first, int count) throws TpmException {
        TpmReader r = new TpmReader(capability(Tpm2.CAP_TPM_PROPERTIES, first, count), "TPMS_CAPABILITY_DATA");
        r.u32();
        int n = r.u32();
        Map<Integer, Integer> result = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            result.put(r.u32(), r.u32());
        }
        return result;
    }
    byte[] capability(int capability, int property, int count) throws TpmException {
        PointerByReference data = new PointerByReference();
        tpm.call("TPM2_GetCapability", () -> tpm.esys.Esys_GetCapability(tpm.ctx(), Esys.TR_NONE, Esys.TR_NONE, Esys.TR_NONE,
                capability, property, count, new ByteByReference(), data));
        return tpm.take("TPMS_CAPABILITY_DATA", data);
    }

    /** The public area at a persistent handle (one TPM2_ReadPublic), or null when the handle is empty. */
    TpmPublic readPublic(int handle) throws TpmException {
        Integer tr = tpm.object(handle);
        if (tr == null) {
            return null;
        }
        PointerByReference pub = new PointerByReference();
        tpm.call("TPM2_ReadPublic", () -> tpm.esys.Esys_ReadPublic(tpm.ctx(), tr, Esys.TR_NONE, Esys.TR_NONE, Esys.TR_NONE, pub,
                null, null));
        return TpmPublic.parse(tpm.take("TPM2B_PUBLIC", pub));
    }
}

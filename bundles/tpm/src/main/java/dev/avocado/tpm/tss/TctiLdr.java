package dev.avocado.tpm.tss;

import com.sun.jna.Library;
import com.sun.jna.ptr.PointerByReference;

/** libtss2-tctildr: opens a TCTI from a "name:configuration" string ("device:/dev/tpmrm0", "swtpm:port=2321"). */
public interface TctiLdr extends Library {

    int Tss2_TctiLdr_Initialize(String nameConf, PointerByReference tcti);

    void Tss2_TctiLdr_Finalize(PointerByReference tcti);
}

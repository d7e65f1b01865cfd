package dev.avocado.tpm.tss;

import com.sun.jna.Library;

/** libtss2-rc: turns a TSS2_RC into text. */
public interface Rc extends Library {

    String Tss2_RC_Decode(int rc);
}

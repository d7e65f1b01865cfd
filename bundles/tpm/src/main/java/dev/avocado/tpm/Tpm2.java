package dev.avocado.tpm;

/** TPM 2.0 constants (TPM 2.0 Library, part 2) this bundle uses. */
final class Tpm2 {

    static final int ALG_RSA = 0x0001;
    static final int ALG_SHA256 = 0x000B;
    static final int ALG_SHA384 = 0x000C;
    static final int ALG_NULL = 0x0010;
    static final int ALG_RSASSA = 0x0014;
    static final int ALG_RSAPSS = 0x0016;
    static final int ALG_ECDSA = 0x0018;
    static final int ALG_ECC = 0x0023;
    static final int ALG_AES = 0x0006;
    static final int ALG_CFB = 0x0043;
    static final int ECC_NIST_P256 = 0x0003;

    // TPMA_OBJECT
    static final int FIXED_TPM = 0x00000002;
    static final int FIXED_PARENT = 0x00000010;
    static final int SENSITIVE_DATA_ORIGIN = 0x00000020;
    static final int USER_WITH_AUTH = 0x00000040;
    static final int NO_DA = 0x00000400;
    static final int RESTRICTED = 0x00010000;
    static final int DECRYPT = 0x00020000;
    static final int SIGN = 0x00040000;
    /** What a device identity key is: generated in the TPM, never leaves it, signs. */
    static final int SIGNING_KEY = FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH | SIGN;
    /** The storage root key of the TCG provisioning guidance. */
    static final int STORAGE_KEY = FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH | NO_DA
            | RESTRICTED | DECRYPT;

    // TPMA_NV
    static final int NV_OWNERWRITE = 0x00000002;
    static final int NV_WRITEDEFINE = 0x00002000;
    static final int NV_OWNERREAD = 0x00020000;
    static final int NV_AUTHREAD = 0x00040000;
    static final int NV_NO_DA = 0x02000000;
    static final int NV_WRITELOCKED = 0x00000800;
    static final int NV_WRITTEN = 0x20000000;
    static final int NV_PPWRITE = 0x00000001;
    static final int NV_POLICY_DELETE = 0x00000400;
    static final int NV_PLATFORMCREATE = 0x40000000;
    static final int CC_POLICY_COMMAND_CODE = 0x0000016C;
    static final int CC_NV_UNDEFINE_SPACE_SPECIAL = 0x0000011F;

    static final int ST_HASHCHECK = 0x8024;
    static final int RH_NULL = 0x40000007;

    // capabilities and properties
    static final int CAP_HANDLES = 0x00000001;
    static final int CAP_TPM_PROPERTIES = 0x00000006;
    static final int PT_FAMILY_INDICATOR = 0x100;
    static final int PT_REVISION = 0x102;
    static final int PT_MANUFACTURER = 0x105;
    static final int PT_VENDOR_STRING_1 = 0x106;
    static final int PT_FIRMWARE_VERSION_1 = 0x10B;
    static final int PT_FIRMWARE_VERSION_2 = 0x10C;
    static final int PT_LOCKOUT_COUNTER = 0x20E;
    static final int PT_MAX_AUTH_FAIL = 0x20F;
    static final int PT_PERMANENT = 0x200;
    static final int HT_TRANSIENT = 0x80000000;
    static final int HT_PERSISTENT = 0x81000000;
    static final int HT_NV_INDEX = 0x01000000;

    private Tpm2() {
    }
}

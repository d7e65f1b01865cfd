package dev.avocado.tpm.tss;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The ESYS functions this project calls (libtss2-esys, tss2_esys.h). Structures go in and out as
 * pointers to native memory that {@link Mu} converts from and to TPM wire format; ESYS_TR handles and
 * UINT32 values are Java ints, UINT16 values shorts.
 */
public interface Esys extends Library {

    int TR_NONE = 0xfff;
    int TR_PASSWORD = 0x0ff;
    int TR_RH_OWNER = 0x101;
    int TR_RH_PLATFORM = 0x10C;
    int TR_RH_NULL = 0x107;

    int Esys_Initialize(PointerByReference esysContext, Pointer tcti, Pointer abiVersion);

    void Esys_Finalize(PointerByReference esysContext);

    void Esys_Free(Pointer ptr);

    int Esys_GetCapability(Pointer ctx, int sh1, int sh2, int sh3, int capability, int property, int propertyCount,
            ByteByReference moreData, PointerByReference capabilityData);

    int Esys_TR_FromTPMPublic(Pointer ctx, int tpmHandle, int sh1, int sh2, int sh3, IntByReference object);

    int Esys_TR_Close(Pointer ctx, IntByReference object);

    int Esys_ReadPublic(Pointer ctx, int objectHandle, int sh1, int sh2, int sh3, PointerByReference outPublic,
            PointerByReference name, PointerByReference qualifiedName);

    int Esys_CreatePrimary(Pointer ctx, int primaryHandle, int sh1, int sh2, int sh3, Pointer inSensitive,
            Pointer inPublic, Pointer outsideInfo, Pointer creationPcr, IntByReference objectHandle,
            PointerByReference outPublic, PointerByReference creationData, PointerByReference creationHash,
            PointerByReference creationTicket);

    int Esys_Create(Pointer ctx, int parentHandle, int sh1, int sh2, int sh3, Pointer inSensitive, Pointer inPublic,
            Pointer outsideInfo, Pointer creationPcr, PointerByReference outPrivate, PointerByReference outPublic,
            PointerByReference creationData, PointerByReference creationHash, PointerByReference creationTicket);

    int Esys_Load(Pointer ctx, int parentHandle, int sh1, int sh2, int sh3, Pointer inPrivate, Pointer inPublic,
            IntByReference objectHandle);

    int Esys_EvictControl(Pointer ctx, int auth, int objectHandle, int sh1, int sh2, int sh3, int persistentHandle,
            IntByReference newObjectHandle);

    int Esys_FlushContext(Pointer ctx, int flushHandle);

    int Esys_Sign(Pointer ctx, int keyHandle, int sh1, int sh2, int sh3, Pointer digest, Pointer inScheme,
            Pointer validation, PointerByReference signature);

    int Esys_GetRandom(Pointer ctx, int sh1, int sh2, int sh3, short bytesRequested, PointerByReference randomBytes);

    int Esys_NV_DefineSpace(Pointer ctx, int authHandle, int sh1, int sh2, int sh3, Pointer auth, Pointer publicInfo,
            IntByReference nvHandle);

    int Esys_NV_UndefineSpace(Pointer ctx, int authHandle, int nvIndex, int sh1, int sh2, int sh3);

    int Esys_NV_Write(Pointer ctx, int authHandle, int nvIndex, int sh1, int sh2, int sh3, Pointer data, short offset);

    int Esys_NV_Read(Pointer ctx, int authHandle, int nvIndex, int sh1, int sh2, int sh3, short size, short offset,
            PointerByReference data);

    int Esys_NV_WriteLock(Pointer ctx, int authHandle, int nvIndex, int sh1, int sh2, int sh3);

    int Esys_NV_ReadPublic(Pointer ctx, int nvIndex, int sh1, int sh2, int sh3, PointerByReference nvPublic,
            PointerByReference nvName);
}

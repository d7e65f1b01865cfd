package dev.avocado.protocol.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file so that a crash leaves either the old content or the new one: write a temporary file
 * beside it, fsync it, rename it over the target, fsync the folder.
 */
public final class AtomicFiles {

    /** rw------- : for keys and anything else only the device runtime may read. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    /** rw-r--r-- : for certificates and other public data. */
    public static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    private AtomicFiles() {
    }

    /** Writes or replaces {@code target}. */
    public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path tmp = prepare(target, content, permissions);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot replace " + target + " atomically on this file system", e);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncFolder(target.toAbsolutePath().getParent());
    }

    /**
     * Writes {@code target} only if it does not exist: the write-once rule of the IDevID. A hard link
     * publishes the complete temporary file under the final name, and fails if the name is taken.
     *
     * @throws FileAlreadyExistsException if {@code target} exists
     */
    public static void writeNew(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Path tmp = prepare(target, content, permissions);
        try {
            Files.createLink(target, tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncFolder(target.toAbsolutePath().getParent());
    }

    /** Deletes a file and makes the deletion durable. */
    public static boolean delete(Path target) throws IOException {
        boolean deleted = Files.deleteIfExists(target);
        if (deleted) {
            syncFolder(target.toAbsolutePath().getParent());
        }
        return deleted;
    }

    /**
     * Deletes the temporary files a write left when the process died before its rename: they are never
     * read, but should not pile up.
     *
     * @return how many were deleted
     */
    public static int removeTemporaries(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        int n = 0;
        try (java.nio.file.DirectoryStream<Path> tmp = Files.newDirectoryStream(folder, ".*.tmp")) {
            for (Path p : tmp) {
                Files.deleteIfExists(p);
                n++;
            }
        }
        return n;
    }

    /** Creates a folder (and its parents) with the given permissions if it does not exist. */
    public static Path folder(Path folder, Set<PosixFilePermission> permissions) throws IOException {
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder);
            setPermissions(folder, permissions);
        }
        return folder;
    }

    private static Path prepare(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path tmp = Files.createTempFile(folder, "." + target.getFileName() + ".", ".tmp");
        try {
            setPermissions(tmp, permissions);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static void setPermissions(Path path, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system (tests on other platforms): nothing to restrict
        }
    }

    private static void syncFolder(Path folder) throws IOException {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot open a folder for sync; the rename is still atomic
        }
    }
}

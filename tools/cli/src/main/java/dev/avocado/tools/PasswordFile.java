package dev.avocado.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** A password given as a file (never as an argument, which any local user sees in the process list). */
final class PasswordFile {

    /** The help of a --password-file option. */
    static final String OPTION = "A file whose first line is the password (at least " + dev.avocado.server.PasswordHash.MIN_LENGTH
            + " characters); a file, not an argument, so that the password shows in no process list. Delete it afterwards.";

    /** Where a console's password goes (the service's admin). */
    interface Setter {
        void set(char[] password) throws Exception;
    }

    private PasswordFile() {
    }

    /** A console-password command: the file read, the password set, the buffer cleared; what it did said. */
    static int set(String service, Path file, Setter setter) throws Exception {
        char[] password = read(file);
        try {
            setter.set(password);
        } finally {
            Arrays.fill(password, '\0');
        }
        AdminForward.out().println(service + " console: admin password set; every console session signed out");
        return 0;
    }

    /** The file's first line, without its line end; an empty or unreadable file is an error that names it. */
    static char[] read(Path file) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("--password-file " + file + ": cannot read it: " + e.getMessage(), e);
        }
        try {
            CharBuffer text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data));
            int end = 0;
            while (end < text.limit() && text.get(end) != '\n' && text.get(end) != '\r') {
                end++;
            }
            if (end == 0) {
                throw new IOException("--password-file " + file + ": its first line is empty");
            }
            char[] password = new char[end];
            text.get(password, 0, end);
            Arrays.fill(text.array(), '\0');
            return password;
        } catch (CharacterCodingException e) {
            throw new IOException("--password-file " + file + ": not UTF-8 text", e);
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }
}

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

    private PasswordFile() {
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

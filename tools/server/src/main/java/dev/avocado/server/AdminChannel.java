package dev.avocado.server;

import dev.avocado.protocol.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The admin commands of a running service with an embedded database, over a Unix domain socket in
 * the service's database folder (mode 0700): only the user that runs the service reaches it, and
 * nothing listens on the network. The embedded database itself takes no second process (its file
 * lock holds), so {@code registrar approve} and the like go through here while the service runs.
 *
 * <p>One request per connection: the arguments, one per line, then an empty line; the answer is the
 * exit code on its first line, then the command's output.
 */
public final class AdminChannel implements AutoCloseable {

    /** Runs one admin command, writing what it says to {@code out}; returns its exit code. */
    public interface Handler {
        int run(List<String> args, PrintStream out);
    }

    private static final int MAX_REQUEST = 64 * 1024;

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    private AdminChannel(Path socket, ServerSocketChannel server, Handler handler) {
        this.socket = socket;
        this.server = server;
        this.acceptor = new Thread(() -> accept(handler), "admin " + socket.getFileName());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Serves at {@code socket}, making its folder owner-only; a socket left by a dead service is
     * replaced, a live one is an error.
     */
    public static AdminChannel serve(Path socket, Handler handler) throws IOException {
        AtomicFiles.folder(socket.getParent(), PosixFilePermissions.fromString("rwx------"));
        if (Files.exists(socket)) {
            if (call(socket, List.of(), new PrintStream(new ByteArrayOutputStream())).isPresent()) {
                throw new IOException("another service already serves admin commands at " + socket);
            }
            Files.delete(socket);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        return new AdminChannel(socket, server, handler);
    }

    /**
     * Sends an admin command to the service at {@code socket} and copies its output to {@code out}.
     *
     * @return its exit code, or empty when no service is there
     */
    public static Optional<Integer> call(Path socket, List<String> args, PrintStream out) throws IOException {
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return Optional.empty(); // left by a service that died: nobody answers
        }
        try (channel) {
            StringBuilder request = new StringBuilder();
            for (String a : args) {
                if (a.indexOf('\n') >= 0 || a.isEmpty()) {
                    throw new IllegalArgumentException("an admin argument may not be empty or hold a line break");
                }
                request.append(a).append('\n');
            }
            request.append('\n');
            ByteBuffer b = ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                channel.write(b);
            }
            channel.shutdownOutput();
            String answer = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
            int nl = answer.indexOf('\n');
            if (nl < 0) {
                throw new IOException("the service at " + socket + " gave no answer");
            }
            out.print(answer.substring(nl + 1));
            out.flush();
            return Optional.of(Integer.parseInt(answer.substring(0, nl).trim()));
        }
    }

    private void accept(Handler handler) {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                List<String> args = readArgs(Channels.newInputStream(c));
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                int code;
                try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
                    code = args.isEmpty() ? 0 : handler.run(args, out);
                }
                byte[] answer = (code + "\n" + text.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                ByteBuffer b = ByteBuffer.wrap(answer);
                while (b.hasRemaining()) {
                    c.write(b);
                }
            } catch (IOException | RuntimeException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    /** The arguments, or none when the request is cut (over the limit, or without its empty last line). */
    private static List<String> readArgs(InputStream in) throws IOException {
        byte[] data = in.readNBytes(MAX_REQUEST + 1);
        String text = new String(data, StandardCharsets.UTF_8);
        if (data.length > MAX_REQUEST || !text.endsWith("\n\n")) {
            return List.of();
        }
        List<String> args = new ArrayList<>();
        for (String line : text.substring(0, text.length() - 2).split("\n", -1)) {
            args.add(line);
        }
        return args;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}

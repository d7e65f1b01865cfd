package dev.avocado.tools;

/** Loopback ports for the services the tools start. */
final class Ports {

    private Ports() {
    }

    /** A port on 127.0.0.1: the preferred one when it is free, else any free one. */
    static int freeOr(int preferred) throws java.io.IOException {
        for (int p : new int[] {preferred, 0}) {
            try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                s.bind(new java.net.InetSocketAddress("127.0.0.1", p));
                return s.getLocalPort();
            } catch (java.net.BindException e) {
                // taken: try any
            }
        }
        throw new java.io.IOException("no free port on 127.0.0.1");
    }


    /** Any free port. */
    static int free() throws java.io.IOException {
        return freeOr(0);
    }
}

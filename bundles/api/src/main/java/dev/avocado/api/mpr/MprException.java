package dev.avocado.api.mpr;

/** The MPR could not be used; the message names the source and the problem. */
public class MprException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final String problem;

    public MprException(String source, String problem) {
        this(source, problem, null);
    }

    public MprException(String source, String problem, Throwable cause) {
        super("MPR " + source + ": " + problem, cause);
        this.source = source;
        this.problem = problem;
    }

    public String source() {
        return source;
    }

    public String problem() {
        return problem;
    }
}

package dev.donjon.server;

/**
 * A request the service refuses or could not serve: an HTTP status and a one-line reason, which is the whole answer
 * body ({@code text/plain}). Thrown by route handlers; every other exception reaches the service's {@link ErrorMapper}.
 */
public final class ApiError extends RuntimeException {
    private final int status;

    public ApiError(int status, String message) {
        super(oneLine(message), null, false, false);
        if (status < 400 || status > 599) throw new IllegalArgumentException("not an error status: " + status);
        this.status = status;
    }

    public ApiError(int status, String message, Throwable cause) {
        super(oneLine(message), cause, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Answer bodies are one printable line: a reason that embeds client input cannot split or forge lines. */
    private static String oneLine(String s) {
        if (s == null || s.isBlank()) return "error";
        return s.replaceAll("\\s*\\R\\s*", " ").replaceAll("\\p{Cntrl}", "?").strip();
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, message);
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, message);
    }
}

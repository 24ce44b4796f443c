package dev.donjon.drawbridge;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routes {@code /api/v0.1.0/...} as Drawbridge does: {@code /{user}}, {@code /{user}/{repo}},
 * {@code /{user}/{repo}/_tag}, {@code /{user}/{repo}/_tag/{tag}}, {@code /{user}/{repo}/_tag/{tag}/tree[/{path}]}.
 * Every failure becomes a status and a one-line text/plain reason; no stack trace ever leaves the server.
 */
final class RegistryHandler implements HttpHandler {
    private static final Logger LOG = Logger.getLogger(RegistryHandler.class.getName());
    /** Small JSON documents (user records, configs) are read whole; anything bigger is refused. */
    private static final int MAX_SMALL_BODY = 64 * 1024;

    private final RegistryStore store;
    private final Authenticator authenticator;

    RegistryHandler(RegistryStore store, Authenticator authenticator) {
        this.store = store;
        this.authenticator = authenticator;
    }

    private enum Method { GET, HEAD, PUT }

    @Override
    public void handle(HttpExchange ex) {
        try {
            route(ex);
        } catch (RegistryException e) {
            if (e.status() == 500) LOG.log(Level.WARNING, e.getMessage(), e.getCause());
            sendText(ex, e.status(), e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.FINE, "connection failed", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "unexpected failure", e);
            sendText(ex, 500, "internal error");
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException {
        Method method = switch (ex.getRequestMethod()) {
            case "GET" -> Method.GET;
            case "HEAD" -> Method.HEAD;
            case "PUT" -> Method.PUT;
            default -> throw new RegistryException(405, "method " + Names.printable(ex.getRequestMethod()) + " not allowed");
        };
        String path = ex.getRequestURI().getRawPath();
        if (path.contains("%")) throw RegistryException.badRequest("percent-encoded characters are not allowed in registry paths");
        String rest = stripApiVersion(path);
        int underscore = rest.indexOf("/_");
        String head = underscore < 0 ? rest : rest.substring(0, underscore);
        String tail = underscore < 0 ? "" : rest.substring(underscore + 1);
        if (head.isEmpty()) throw new RegistryException(404, "route '" + Names.printable(path) + "' not found");
        String[] ur = head.split("/", -1);
        String user = Names.user(ur[0]);
        if (ur.length == 1) {
            if (!tail.isEmpty()) throw new RegistryException(404, "route not found on user");
            user(ex, method, user);
            return;
        }
        if (ur.length > 2) throw RegistryException.badRequest("repository groups (owner/group/name) are not supported yet");
        String repo = Names.repository(ur[1]);
        if (tail.isEmpty()) {
            repository(ex, method, user, repo);
            return;
        }
        String[] t = tail.split("/", 4);
        if (!t[0].equals("_tag")) throw new RegistryException(404, "route '" + Names.printable(tail) + "' not found on repository");
        if (t.length == 1) {
            if (method == Method.PUT) throw new RegistryException(405, "method not allowed for the tag list");
            tagList(ex, method, user, repo);
            return;
        }
        String tag = Names.tag(t[1]);
        if (t.length == 2) {
            tag(ex, method, user, repo, tag);
            return;
        }
        if (!t[2].equals("tree")) throw new RegistryException(404, "route '" + Names.printable(t[2]) + "' not found on tag");
        tree(ex, method, user, repo, tag, TreePath.parse(t.length == 4 ? t[3] : ""));
    }

    /** Accepts {@code /api/v<semver>/} up to this server's API version 0.1.x; returns the rest of the path. */
    private static String stripApiVersion(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (!p.startsWith("api/v")) throw new RegistryException(404, "route '" + Names.printable(path) + "' not found");
        int slash = p.indexOf('/', 5);
        String version = slash < 0 ? p.substring(5) : p.substring(5, slash);
        String[] v = Names.tag(version).split("[.+-]");
        // semver has no leading zeros: a minor of two or more digits is above 1
        if (!v[0].equals("0") || v[1].length() > 1 || v[1].charAt(0) > '1') throw new RegistryException(501, "unsupported API version " + version);
        return slash < 0 ? "" : p.substring(slash + 1);
    }

    private Principal principal(HttpExchange ex) {
        var session = ex instanceof HttpsExchange hs ? hs.getSSLSession() : null;
        return authenticator.authenticate(ex.getRequestHeaders().getFirst("Authorization"), session);
    }

    private UserRecord owner(String user) {
        return store.user(user).orElseThrow(() -> new RegistryException(404, "user '" + user + "' not found"));
    }

    private RepositoryConfig config(String user, String repo) {
        return store.repository(user, repo).orElseThrow(() -> new RegistryException(404, "repository '" + user + "/" + repo + "' not found"));
    }

    private void user(HttpExchange ex, Method method, String user) throws IOException {
        Principal p = principal(ex);
        if (method == Method.PUT) {
            requireJson(ex);
            UserRecord record = UserRecord.parse(readSmallBody(ex));
            Principal.TokenHolder t = AccessPolicy.requireToken(p);
            if (!t.subject().equals(record.subject()))
                throw new RegistryException(403, "user record subject must be the token's own subject");
            if (!t.has(Scope.Level.WRITE, Scope.Context.USERS))
                throw new RegistryException(403, "token lacks scope write:drawbridge_users");
            store.createUser(user, record);
            sendText(ex, 201, "created");
            return;
        }
        UserRecord record = owner(user);
        AccessPolicy.requireOwner(p, record, user, Scope.Level.READ, Scope.Context.USERS);
        sendBytes(ex, method, record.toJson(), "application/json", null);
    }

    private void repository(HttpExchange ex, Method method, String user, String repo) throws IOException {
        Principal p = principal(ex);
        UserRecord owner = owner(user);
        if (method == Method.PUT) {
            requireJson(ex);
            RepositoryConfig config = RepositoryConfig.parse(readSmallBody(ex));
            AccessPolicy.requireOwner(p, owner, user, Scope.Level.WRITE, Scope.Context.REPOSITORIES);
            store.createRepository(user, repo, config);
            sendText(ex, 201, "created");
            return;
        }
        RepositoryConfig config = config(user, repo);
        AccessPolicy.requireRead(p, owner, user, config, Scope.Context.REPOSITORIES);
        sendBytes(ex, method, config.toJson(), "application/json", null);
    }

    private void tagList(HttpExchange ex, Method method, String user, String repo) throws IOException {
        Principal p = principal(ex);
        UserRecord owner = owner(user);
        AccessPolicy.requireRead(p, owner, user, config(user, repo), Scope.Context.REPOSITORIES);
        ArrayNode arr = RegistryJson.MAPPER.createArrayNode();
        store.tags(user, repo).forEach(arr::add);
        sendBytes(ex, method, RegistryJson.write(arr), "application/json", null);
    }

    private void tag(HttpExchange ex, Method method, String user, String repo, String tag) throws IOException {
        Principal p = principal(ex);
        UserRecord owner = owner(user);
        RepositoryConfig config = config(user, repo);
        if (method == Method.PUT) {
            AccessPolicy.requireOwner(p, owner, user, Scope.Level.WRITE, Scope.Context.TAGS);
            boolean created = store.createTag(user, repo, tag, requiredDigest(ex), contentType(ex), contentLength(ex), ex.getRequestBody());
            sendText(ex, created ? 201 : 200, created ? "created" : "already present");
            return;
        }
        AccessPolicy.requireRead(p, owner, user, config, Scope.Context.REPOSITORIES);
        StoredObject obj = store.tag(user, repo, tag).orElseThrow(() -> new RegistryException(404, "tag " + tag + " not found"));
        sendObject(ex, method, obj);
    }

    private void tree(HttpExchange ex, Method method, String user, String repo, String tag, TreePath path) throws IOException {
        Principal p = principal(ex);
        UserRecord owner = owner(user);
        RepositoryConfig config = config(user, repo);
        if (method == Method.PUT) {
            AccessPolicy.requireOwner(p, owner, user, Scope.Level.WRITE, Scope.Context.TAGS);
            boolean created = store.createNode(user, repo, tag, path, requiredDigest(ex), contentType(ex), contentLength(ex), ex.getRequestBody());
            sendText(ex, created ? 201 : 200, created ? "created" : "already present");
            return;
        }
        AccessPolicy.requireRead(p, owner, user, config, Scope.Context.REPOSITORIES);
        StoredObject obj = store.node(user, repo, tag, path)
                .orElseThrow(() -> new RegistryException(404, "tree node '/" + path + "' not found in tag " + tag));
        sendObject(ex, method, obj);
    }

    // ---- request helpers ----

    private static ContentDigest requiredDigest(HttpExchange ex) {
        var values = ex.getRequestHeaders().get("Content-Digest");
        if (values == null || values.isEmpty()) throw RegistryException.badRequest("Content-Digest header is required");
        return ContentDigest.parseHeader(String.join(",", values));
    }

    private static String contentType(HttpExchange ex) {
        String t = ex.getRequestHeaders().getFirst("Content-Type");
        if (t == null || t.isBlank()) throw RegistryException.badRequest("Content-Type header is required");
        return t.strip();
    }

    private static long contentLength(HttpExchange ex) {
        String l = ex.getRequestHeaders().getFirst("Content-Length");
        if (l == null) throw new RegistryException(411, "Content-Length is required");
        try {
            long n = Long.parseLong(l.strip());
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw RegistryException.badRequest("Content-Length '" + Names.printable(l) + "' is not a length");
        }
    }

    private static void requireJson(HttpExchange ex) {
        String t = contentType(ex);
        if (!t.startsWith("application/json")) throw RegistryException.badRequest("Content-Type must be application/json");
    }

    private static byte[] readSmallBody(HttpExchange ex) throws IOException {
        long length = contentLength(ex);
        if (length > MAX_SMALL_BODY) throw new RegistryException(413, "body larger than " + MAX_SMALL_BODY + " bytes");
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes((int) length);
            if (body.length != length) throw RegistryException.badRequest("body shorter than its Content-Length");
            ContentDigest claimed = ex.getRequestHeaders().containsKey("Content-Digest") ? requiredDigest(ex) : null;
            if (claimed != null && !claimed.isSatisfiedBy(ContentDigest.of(body)))
                throw RegistryException.badRequest("Content-Digest does not match the body");
            return body;
        }
    }

    // ---- responses ----

    /** Objects up to this size are read once, verified and sent from memory: what was checked is what is sent. */
    private static final long IN_MEMORY = 16L << 20;

    private void sendObject(HttpExchange ex, Method method, StoredObject obj) throws IOException {
        // verified before any header goes out: a modified blob is an error, never content
        byte[] small = obj.meta().length() <= IN_MEMORY ? store.readVerified(obj) : null;
        if (small == null) store.verify(obj);
        var h = ex.getResponseHeaders();
        h.set("Content-Type", obj.meta().type());
        h.set("Content-Digest", obj.meta().digest().toHeader());
        if (method == Method.HEAD) {
            h.set("Content-Length", Long.toString(obj.meta().length()));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, obj.meta().length() == 0 ? -1 : obj.meta().length());
        try (OutputStream out = ex.getResponseBody()) {
            // a large blob changed between the check and the copy is still caught by the client's digest check
            if (small != null) out.write(small);
            else store.copy(obj, out);
        }
    }

    private static void sendBytes(HttpExchange ex, Method method, byte[] body, String type, String digest) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Content-Digest", digest != null ? digest : ContentDigest.of(body).toHeader());
        if (method == Method.HEAD) {
            h.set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void sendText(HttpExchange ex, int status, String message) {
        try {
            // a refused or repeated upload's body may be unread: never let the client reuse this connection
            if (status != 201 && ex.getRequestMethod().equals("PUT")) ex.getResponseHeaders().set("Connection", "close");
            byte[] body = (message.replaceAll("\\s*\\R\\s*", " ") + "\n").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "could not send the error response", e);
        }
    }
}

package dev.donjon.drawbridge;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.donjon.server.ApiError;
import dev.donjon.server.Exchange;
import dev.donjon.server.Principal;
import dev.donjon.server.Routes;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Drawbridge's API, one route table ({@link #routes}): {@code /api/v{version}/} then {@code {user}},
 * {@code {user}/{repo}}, {@code {user}/{repo}/_tag}, {@code {user}/{repo}/_tag/{tag}},
 * {@code {user}/{repo}/_tag/{tag}/tree[/{path}]}; one error mapper ({@link #mapError}) from the store's and the
 * formats' exceptions. Every failure is a status and a one-line text/plain reason; no stack trace leaves the server.
 */
final class RegistryHandler {
    /** Small JSON documents (user records, configs) are read whole; anything bigger is refused. */
    static final int MAX_SMALL_BODY = 64 * 1024;
    /** Objects up to this size are read once, checked and sent from memory: what was checked is what is sent. */
    private static final long IN_MEMORY = 16L << 20;

    private static final String API = "/api/{version}";
    private static final String USER = API + "/{user}";
    private static final String REPO = USER + "/{repo}";
    private static final String TAGS = REPO + "/_tag";
    private static final String TAG = TAGS + "/{tag}";
    private static final String TREE = TAG + "/tree";

    private final RegistryStore store;

    RegistryHandler(RegistryStore store) {
        this.store = store;
    }

    Routes routes() {
        return new Routes()
                .get(USER, ex -> getUser(ex, user(ex)))
                .put(USER, ex -> putUser(ex, user(ex)))
                .get(REPO, ex -> getRepository(ex, repo(ex)))
                .put(REPO, ex -> putRepository(ex, repo(ex)))
                .get(TAGS, ex -> tagList(ex, repo(ex)))
                .get(TAG, ex -> getTag(ex, repo(ex), tag(ex)))
                .put(TAG, ex -> putTag(ex, repo(ex), tag(ex)))
                .get(TREE, ex -> getNode(ex, repo(ex), tag(ex), TreePath.ROOT))
                .put(TREE, ex -> putNode(ex, repo(ex), tag(ex), TreePath.ROOT))
                .get(TREE + "/{+path}", ex -> getNode(ex, repo(ex), tag(ex), TreePath.parse(ex.pathParam("path"))))
                .put(TREE + "/{+path}", ex -> putNode(ex, repo(ex), tag(ex), TreePath.parse(ex.pathParam("path"))))
                .get(REPO + "/{group}", RegistryHandler::groups)
                .put(REPO + "/{group}", RegistryHandler::groups)
                .notFoundHint("(the API is /api/v0.1.0/{user}[/{repo}[/_tag[/{tag}[/tree[/{path}]]]]])");
    }

    /** The store's refusals and the wire formats' parse errors, as HTTP answers. */
    Optional<ApiError> mapError(Throwable failure) {
        return Optional.ofNullable(
                switch (failure) {
                    case StoreException.NotFound e -> ApiError.notFound(e.getMessage());
                    case StoreException.Conflict e -> ApiError.conflict(e.getMessage());
                    case StoreException.Rejected e -> ApiError.badRequest(e.getMessage());
                    case StoreException.TooLarge e -> new ApiError(413, e.getMessage());
                    case StoreException.LengthRequired e -> new ApiError(411, e.getMessage());
                    case StoreException.AlreadyRegistered e ->
                        ApiError.forbidden(e.getMessage() + ": a subject registers one user name (scope "
                                + Scope.ADMIN_USERS + " may register others)");
                    case StoreException.Damaged e -> new ApiError(500, e.getMessage(), e.getCause());
                    case StoreException.Unavailable e -> new ApiError(503, e.getMessage(), e.getCause());
                    case RegistryException e ->
                        new ApiError(e.status(), e.getMessage()); // a malformed name, header or document
                    default -> null;
                });
    }

    // ---- the path's parts ----

    private record Repo(String user, String repo) {
        ApiError hidden() {
            return ApiError.notFound("repository '" + user + "/" + repo + "' not found");
        }
    }

    /** Checks the raw path and the API version; returns the user name. */
    private static String user(Exchange ex) {
        if (ex.rawPath().contains("%"))
            throw ApiError.badRequest("percent-encoded characters are not allowed in registry paths");
        String version = ex.pathParam("version");
        if (!version.startsWith("v")) throw ApiError.notFound("route '" + printable(ex.rawPath()) + "' not found");
        String[] v = Names.tag(version.substring(1)).split("[.+-]");
        // semver has no leading zeros: a minor of two or more digits is above 1
        if (!v[0].equals("0") || v[1].length() > 1 || v[1].charAt(0) > '1')
            throw new ApiError(501, "unsupported API version " + version.substring(1));
        return Names.user(ex.pathParam("user"));
    }

    private static Repo repo(Exchange ex) {
        return new Repo(user(ex), Names.repository(ex.pathParam("repo")));
    }

    private static String tag(Exchange ex) {
        return Names.tag(ex.pathParam("tag"));
    }

    private static void groups(Exchange ex) {
        user(ex);
        throw ApiError.badRequest("repository groups (owner/group/name) are not supported yet");
    }

    private static String printable(String s) {
        return Names.printable(s);
    }

    private UserRecord owner(String user, ApiError hidden) {
        return store.user(user).orElseThrow(() -> hidden);
    }

    private static ApiError hiddenUser(String user) {
        return ApiError.notFound("user '" + user + "' not found");
    }

    // ---- users ----

    private void getUser(Exchange ex, String user) {
        Principal p = ex.principal();
        ApiError hidden = hiddenUser(user);
        UserRecord record = owner(user, hidden);
        AccessPolicy.requireOwner(p, record, Scope.Level.READ, Scope.Context.USERS, hidden);
        sendBytes(ex, record.toJson(), "application/json");
    }

    private void putUser(Exchange ex, String user) {
        Principal.Bearer t = AccessPolicy.requireToken(ex.principal());
        requireJson(ex);
        UserRecord record = UserRecord.parse(readSmallBody(ex));
        boolean admin = t.scopes().contains(Scope.ADMIN_USERS);
        if (!admin && !t.subject().equals(record.subject()))
            throw ApiError.forbidden("user record subject must be the token's own subject");
        if (!admin && !Scope.has(t, Scope.Level.WRITE, Scope.Context.USERS))
            throw ApiError.forbidden("token lacks scope write:drawbridge_users");
        store.createUser(user, record);
        ex.text(201, "created");
    }

    // ---- repositories ----

    private void getRepository(Exchange ex, Repo r) {
        Principal p = ex.principal();
        UserRecord owner = owner(r.user(), r.hidden());
        RepositoryConfig config = store.repository(r.user(), r.repo()).orElseThrow(r::hidden);
        AccessPolicy.requireRead(p, owner, config, Scope.Context.REPOSITORIES, r.hidden());
        sendBytes(ex, config.toJson(), "application/json");
    }

    private void putRepository(Exchange ex, Repo r) {
        Principal p = ex.principal();
        AccessPolicy.requireToken(p);
        UserRecord owner = owner(r.user(), hiddenUser(r.user()));
        AccessPolicy.requireOwner(p, owner, Scope.Level.WRITE, Scope.Context.REPOSITORIES, hiddenUser(r.user()));
        requireJson(ex);
        RepositoryConfig config = RepositoryConfig.parse(readSmallBody(ex));
        store.createRepository(r.user(), r.repo(), config);
        ex.text(201, "created");
    }

    /** The repository's owner and config, if {@code p} may read it; otherwise what a missing repository answers. */
    private RepositoryConfig readable(Principal p, Repo r) {
        UserRecord owner = owner(r.user(), r.hidden());
        RepositoryConfig config = store.repository(r.user(), r.repo()).orElseThrow(r::hidden);
        AccessPolicy.requireRead(p, owner, config, Scope.Context.REPOSITORIES, r.hidden());
        return config;
    }

    private void writable(Principal p, Repo r) {
        AccessPolicy.requireToken(p);
        UserRecord owner = owner(r.user(), r.hidden());
        if (store.repository(r.user(), r.repo()).isEmpty()) throw r.hidden();
        AccessPolicy.requireOwner(p, owner, Scope.Level.WRITE, Scope.Context.TAGS, r.hidden());
    }

    // ---- tags and trees ----

    private void tagList(Exchange ex, Repo r) {
        readable(ex.principal(), r);
        ArrayNode arr = RegistryJson.MAPPER.createArrayNode();
        store.tags(r.user(), r.repo()).forEach(arr::add);
        sendBytes(ex, RegistryJson.write(arr), "application/json");
    }

    private void getTag(Exchange ex, Repo r, String tag) throws IOException {
        readable(ex.principal(), r);
        StoredObject obj =
                store.tag(r.user(), r.repo(), tag).orElseThrow(() -> ApiError.notFound("tag " + tag + " not found"));
        sendObject(ex, obj);
    }

    private void putTag(Exchange ex, Repo r, String tag) {
        writable(ex.principal(), r);
        boolean created = store.createTag(
                r.user(), r.repo(), tag, requiredDigest(ex), contentType(ex), contentLength(ex), ex.bodyStream());
        ex.text(created ? 201 : 200, created ? "created" : "already present");
    }

    private void getNode(Exchange ex, Repo r, String tag, TreePath path) throws IOException {
        readable(ex.principal(), r);
        StoredObject obj = store.node(r.user(), r.repo(), tag, path)
                .orElseThrow(() -> ApiError.notFound("tree node '/" + path + "' not found in tag " + tag));
        sendObject(ex, obj);
    }

    private void putNode(Exchange ex, Repo r, String tag, TreePath path) {
        writable(ex.principal(), r);
        boolean created = store.createNode(
                r.user(), r.repo(), tag, path, requiredDigest(ex), contentType(ex), contentLength(ex), ex.bodyStream());
        ex.text(created ? 201 : 200, created ? "created" : "already present");
    }

    // ---- request helpers ----

    private static ContentDigest requiredDigest(Exchange ex) {
        var values = ex.headers("Content-Digest");
        if (values.isEmpty()) throw ApiError.badRequest("Content-Digest header is required");
        return ContentDigest.parseHeader(String.join(",", values));
    }

    private static String contentType(Exchange ex) {
        String t = ex.header("Content-Type").orElse("");
        if (t.isBlank()) throw ApiError.badRequest("Content-Type header is required");
        return t.strip();
    }

    private static long contentLength(Exchange ex) {
        if (ex.contentLength().isEmpty()) throw new ApiError(411, "Content-Length is required");
        return ex.contentLength().getAsLong();
    }

    private static void requireJson(Exchange ex) {
        if (!contentType(ex).startsWith("application/json"))
            throw ApiError.badRequest("Content-Type must be application/json");
    }

    private static byte[] readSmallBody(Exchange ex) {
        long length = contentLength(ex);
        byte[] body = ex.body(MAX_SMALL_BODY);
        if (body.length != length) throw ApiError.badRequest("body shorter than its Content-Length");
        ContentDigest claimed = ex.headers("Content-Digest").isEmpty() ? null : requiredDigest(ex);
        if (claimed != null && !claimed.isSatisfiedBy(ContentDigest.of(body)))
            throw ApiError.badRequest("Content-Digest does not match the body");
        return body;
    }

    // ---- responses ----

    private void sendObject(Exchange ex, StoredObject obj) throws IOException {
        ex.responseHeader("Content-Digest", obj.meta().digest().toHeader());
        if (ex.isHead()) { // no bytes leave the server: the recorded entry is the answer, nothing to hash
            ex.responseHeader("Content-Type", obj.meta().type());
            ex.sendHead(obj.meta().length());
            return;
        }
        // checked before any header goes out: a changed blob is an error, never content
        if (obj.meta().length() <= IN_MEMORY) {
            ex.send(200, obj.meta().type(), store.readVerified(obj));
            return;
        }
        store.verify(obj);
        try (OutputStream out = ex.stream(200, obj.meta().type(), obj.meta().length())) {
            store.copy(obj, out);
        }
    }

    private static void sendBytes(Exchange ex, byte[] body, String type) {
        ex.responseHeader("Content-Digest", ContentDigest.of(body).toHeader());
        ex.send(200, type, body);
    }
}

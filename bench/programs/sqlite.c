/*
 * sqlite: SQLite 3 (Debian's sqlite3 source, amalgamation) on an in-memory database.
 *
 *   sqlite [ITERATIONS [ROWS]]      (default 6 200000)
 *
 * Each iteration opens a fresh :memory: database and runs a small order-processing workload through
 * SQL: bulk inserts in a transaction (prepared statements), index builds, joins, GROUP BY, ORDER BY,
 * LIKE, correlated subqueries, a recursive CTE, UPDATE and DELETE. Every row a query returns is folded
 * into the checksum, so a runtime that computes anything differently is caught.
 *
 * SQLite is built with SQLITE_OS_OTHER and the minimal VFS below (no files, deterministic randomness and
 * clock), so the native and the wasm builds run exactly the same code paths and the output is identical.
 */
#include "sqlite3.h"
#include "../compute/harness.h"

/* ---- a VFS that opens nothing: the workload uses :memory: databases only ---- */
static int vfs_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out) {
    (void)v; (void)name; (void)f; (void)flags; (void)out;
    return SQLITE_CANTOPEN;
}
static int vfs_delete(sqlite3_vfs *v, const char *name, int sync) { (void)v; (void)name; (void)sync; return SQLITE_IOERR_DELETE; }
static int vfs_access(sqlite3_vfs *v, const char *name, int flags, int *out) { (void)v; (void)name; (void)flags; *out = 0; return SQLITE_OK; }
static int vfs_fullpath(sqlite3_vfs *v, const char *name, int n, char *out) { (void)v; sqlite3_snprintf(n, out, "%s", name); return SQLITE_OK; }
static int vfs_random(sqlite3_vfs *v, int n, char *out) {
    (void)v; /* not the workload's generator: SQLite asks once per process, the workload once per iteration */
    for (int i = 0; i < n; i++) out[i] = (char)(i * 37 + 11);
    return n;
}
static int vfs_sleep(sqlite3_vfs *v, int us) { (void)v; return us; }
static int vfs_time(sqlite3_vfs *v, double *out) { (void)v; *out = 2460000.5; return SQLITE_OK; }
static int vfs_time64(sqlite3_vfs *v, sqlite3_int64 *out) { (void)v; *out = (sqlite3_int64)2460000 * 86400000 + 43200000; return SQLITE_OK; }
static int vfs_error(sqlite3_vfs *v, int n, char *out) { (void)v; (void)n; (void)out; return 0; }
static sqlite3_vfs vfs = {
    .iVersion = 2, .szOsFile = sizeof(sqlite3_file), .mxPathname = 512, .zName = "memonly",
    .xOpen = vfs_open, .xDelete = vfs_delete, .xAccess = vfs_access, .xFullPathname = vfs_fullpath,
    .xRandomness = vfs_random, .xSleep = vfs_sleep, .xCurrentTime = vfs_time, .xGetLastError = vfs_error,
    .xCurrentTimeInt64 = vfs_time64,
};
int sqlite3_os_init(void) { return sqlite3_vfs_register(&vfs, 1); }
int sqlite3_os_end(void) { return SQLITE_OK; }

/* ---- the workload ---- */
static sqlite3 *db;
static uint64_t sum;

static void fold(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) sum = (sum ^ b[i]) * 0x100000001b3ull;
}

static void fail(const char *what) {
    fprintf(stderr, "sqlite: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s\n  in: %s\n", err, sql);
        exit(1);
    }
}

/* Runs a query and folds every column of every row (as text) into the checksum; returns the row count. */
static long query(const char *sql) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail(sql);
    long rows = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            if (t) fold(t, (size_t)sqlite3_column_bytes(st, c));
            fold("|", 1);
        }
        rows++;
    }
    if (rc != SQLITE_DONE) fail(sql);
    sqlite3_finalize(st);
    int64_t n = rows; /* the same width on every target */
    fold(&n, sizeof n);
    return rows;
}

static const char *const words[] = {"red", "green", "blue", "amber", "violet", "black", "white", "silver",
                                    "gold", "copper", "iron", "stone", "paper", "glass", "wood", "steel"};

static void setup(long rows) { (void)rows; }

static uint64_t run(long rows) {
    sum = 0xcbf29ce484222325ull;
    rng_state = 0x9E3779B97F4A7C15ull;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) fail("open");
    exec("PRAGMA temp_store=MEMORY;"
         "CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT, city TEXT, since INTEGER);"
         "CREATE TABLE product(id INTEGER PRIMARY KEY, label TEXT, price REAL, stock INTEGER);"
         "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, product INTEGER, qty INTEGER,"
         "                    day INTEGER, note TEXT);");
    exec("BEGIN");
    sqlite3_stmt *st;
    long customers = rows / 20 + 1, products = rows / 100 + 1;
    if (sqlite3_prepare_v2(db, "INSERT INTO customer VALUES(?,?,?,?)", -1, &st, NULL)) fail("prepare");
    for (long i = 0; i < customers; i++) {
        char name[48];
        snprintf(name, sizeof name, "%s-%s-%ld", words[rng_next() % 16], words[rng_next() % 16], i);
        sqlite3_bind_int64(st, 1, i);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, words[rng_next() % 16], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, 2000 + (long)(rng_next() % 25));
        if (sqlite3_step(st) != SQLITE_DONE) fail("insert customer");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "INSERT INTO product VALUES(?,?,?,?)", -1, &st, NULL)) fail("prepare");
    for (long i = 0; i < products; i++) {
        char label[48];
        snprintf(label, sizeof label, "%s %s #%ld", words[rng_next() % 16], words[rng_next() % 16], i);
        sqlite3_bind_int64(st, 1, i);
        sqlite3_bind_text(st, 2, label, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 3, (double)(rng_next() % 100000) / 100.0);
        sqlite3_bind_int64(st, 4, (long)(rng_next() % 1000));
        if (sqlite3_step(st) != SQLITE_DONE) fail("insert product");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "INSERT INTO orders(customer, product, qty, day, note) VALUES(?,?,?,?,?)", -1, &st, NULL))
        fail("prepare");
    for (long i = 0; i < rows; i++) {
        sqlite3_bind_int64(st, 1, (long)(rng_next() % (uint64_t)customers));
        sqlite3_bind_int64(st, 2, (long)(rng_next() % (uint64_t)products));
        sqlite3_bind_int64(st, 3, 1 + (long)(rng_next() % 9));
        sqlite3_bind_int64(st, 4, (long)(rng_next() % 365));
        if (rng_next() % 4 == 0) {
            char note[64];
            snprintf(note, sizeof note, "deliver to %s door, %s box", words[rng_next() % 16], words[rng_next() % 16]);
            sqlite3_bind_text(st, 5, note, -1, SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_null(st, 5);
        }
        if (sqlite3_step(st) != SQLITE_DONE) fail("insert order");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    exec("COMMIT");
    exec("CREATE INDEX orders_customer ON orders(customer);"
         "CREATE INDEX orders_day ON orders(day, product);"
         "CREATE INDEX customer_city ON customer(city, name);");
    query("SELECT c.city, count(*), sum(o.qty), round(sum(o.qty * p.price), 2)"
          " FROM orders o JOIN customer c ON c.id = o.customer JOIN product p ON p.id = o.product"
          " GROUP BY c.city ORDER BY 4 DESC");
    query("SELECT day, count(DISTINCT customer), max(qty), avg(qty) FROM orders GROUP BY day HAVING count(*) > 10 ORDER BY day");
    query("SELECT c.name, (SELECT count(*) FROM orders o WHERE o.customer = c.id) AS n FROM customer c"
          " WHERE c.since > 2020 ORDER BY n DESC, c.name LIMIT 200");
    query("SELECT p.label, sum(o.qty) AS q FROM product p JOIN orders o ON o.product = p.id"
          " WHERE o.day BETWEEN 100 AND 140 GROUP BY p.id ORDER BY q DESC, p.label LIMIT 100");
    query("SELECT count(*), group_concat(DISTINCT substr(note, 12, 5)) FROM orders WHERE note LIKE '%gold door%'");
    query("SELECT upper(name), length(name), instr(name, 'e') FROM customer WHERE name GLOB '*-s*' ORDER BY name LIMIT 500");
    query("WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < 20000)"
          " SELECT sum(x * x % 977), count(*) FROM seq");
    query("SELECT printf('%.3f', price), stock FROM product ORDER BY price DESC, id LIMIT 300");
    exec("UPDATE product SET stock = stock - 1, price = price * 1.05 WHERE id % 3 = 0;"
         "UPDATE orders SET qty = qty + 1 WHERE day % 7 = 0;"
         "DELETE FROM orders WHERE qty > 8 AND day > 300;");
    query("SELECT count(*), sum(qty), total(day) FROM orders");
    query("SELECT c.city, p.label, sum(o.qty) FROM orders o JOIN customer c ON c.id = o.customer"
          " JOIN product p ON p.id = o.product WHERE c.city IN ('gold', 'iron') AND p.stock < 100"
          " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 50");
    sqlite3_close(db);
    return sum;
}

int main(int argc, char **argv) { return harness_main(argc, argv, "sqlite", 200000); }

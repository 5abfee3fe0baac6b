package dev.kgal.neo4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Minimal offline Neo4j server for kgal development and CI: embedded Neo4j
 * Community with only the Bolt connector, so the Node driver talks to it like
 * to any other server. Started and stopped by scripts/neo4j-start.sh / -stop.sh.
 *
 * Usage: EmbeddedNeo4j --home DIR [--port N] [--plugins DIR] [--pagecache SIZE]
 *   --plugins: a directory of procedure jars (the start script links Graph Data Science's there; its
 *   classes are on the classpath too, as Neo4j's own launcher does with plugins/), gds.* unrestricted.
 *   --pagecache: the page cache, e.g. 256m or 4g (default 256m; a million items want more, see docs/neo4j.md).
 *   (env fallbacks: KGAL_NEO4J_DB_DIR, KGAL_NEO4J_PORT; port default 7687)
 */
public final class EmbeddedNeo4j {
    /** The start script waits for this marker in the log; keep it stable. */
    static final String READY = "KGAL_NEO4J_READY";

    public static void main(String[] args) throws Exception {
        String home = System.getenv("KGAL_NEO4J_DB_DIR");
        String port = System.getenv().getOrDefault("KGAL_NEO4J_PORT", "7687");
        String plugins = null;
        String pagecache = "256m";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = args[++i];
                case "--port" -> port = args[++i];
                case "--plugins" -> plugins = args[++i];
                case "--pagecache" -> pagecache = args[++i];
                default -> usage("unknown argument: " + args[i]);
            }
        }
        if (home == null || home.isBlank()) usage("missing --home");
        int boltPort = Integer.parseInt(port);

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(Path.of(home));
        if (plugins != null) {
            builder.setConfig(GraphDatabaseSettings.plugin_dir, Path.of(plugins).toAbsolutePath())
                    .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("gds.*"));
        }
        DatabaseManagementService dbms = builder
                // Loopback only: this is a dev/CI database without auth.
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", boltPort))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", boltPort))
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                // Small footprint by default (256m); heap is set by -Xmx.
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pagecache))
                // Transaction state on the JVM heap (no extra off-heap pool to size).
                .setConfig(GraphDatabaseSettings.tx_state_memory_allocation,
                        GraphDatabaseSettings.TransactionStateMemoryAllocation.ON_HEAP)
                // Dev data: don't keep days of transaction logs around.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 files")
                // Bolt's Netty groups otherwise wait a 5 s quiet period each on shutdown
                // (~10 s per stop); nothing here needs that grace.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();

        // SIGTERM / SIGINT -> clean shutdown (checkpoint, release store locks).
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("kgal-neo4j: shutting down");
            try {
                dbms.shutdown();
            } finally {
                stopped.countDown();
                System.out.println("kgal-neo4j: stopped");
            }
        }, "kgal-neo4j-shutdown"));

        // build() returns once Bolt listens, but the default database may still be
        // starting; only report ready when queries against it will work.
        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(TimeUnit.MINUTES.toMillis(2))) {
            System.err.println("kgal-neo4j: database 'neo4j' did not become available");
            System.exit(1);
        }
        String version = db.executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v",
                Map.of(), r -> String.valueOf(r.next().get("v")));

        System.out.printf("%s bolt://127.0.0.1:%d (Neo4j %s, home %s)%n", READY, boltPort, version, home);
        System.out.flush();
        stopped.await(); // keep the JVM alive until the shutdown hook has run
    }

    private static void usage(String why) {
        System.err.println("kgal-neo4j: " + why + "\nusage: EmbeddedNeo4j --home DIR [--port N] [--plugins DIR] [--pagecache SIZE]");
        System.exit(2);
    }
}

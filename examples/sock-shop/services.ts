/**
 * Weaveworks Sock Shop (microservices-demo/microservices-demo @ 9dff06f, deprecated upstream), written as a
 * fleet catalog from its own compose file (C: deploy/docker-compose/docker-compose.yml) and Kubernetes
 * manifests (D: deploy/kubernetes/complete-demo.yaml). App image tags follow k8s; Mongo follows compose (mongo:3.4).
 *
 * - Host names are hard-coded in the code (http://catalogue, http://carts, http://orders, http://user, session-db,
 *   catalogue-db:3306, carts-db, orders-db, rabbitmq, http://payment, http://shipping): keep the names. HTTP
 *   backends must listen on 80 because callers give no port. The <NAME>_URL/_ADDR fleet injects go unused.
 * - memory: k8s requests -> reservation, limits -> limit. cpu: request in units, raised to fleet's minimum 128.
 *   DBs, broker and session store have no resources in either manifest: their values are ESTIMATES.
 * - optOut.noNewPrivileges on the app services: their binaries (Go) or java (msd-java base) carry the file capability
 *   cap_net_bind_service=+ep; with every capability dropped, exec fails with EPERM (capabilities(7)). k8s and compose
 *   add NET_BIND_SERVICE for exactly these; fleet cannot add a single capability. Verify each image with getcap.
 * - DBs run directly as their image user (k8s runs them as root and adds CHOWN/SETUID/SETGID for gosu). The uids
 *   come from useradd -r (999 expected): verify with `docker run --rm --entrypoint id <image> <user>`.
 */
import { Catalog } from "../../model/catalog";

const bindsPort80 = "the binary has file capability cap_net_bind_service=+ep which fails to exec with all capabilities dropped";

export const services = {
    // Internet-facing: k8s NodePort 80 -> 8079 (D:312-317); compose puts edge-router (Traefik) in front (C:11-28).
    "front-end": {
        image: "weaveworksdemos/front-end:0.3.12",
        port: 8079,
        protocol: "http",
        routes: [{ host: "socks" }],
        health: { path: "/", matcher: "200", gracePeriodSeconds: 30 }, // D:288-299
        memory: { reservation: 300, limit: 1000 }, // D:269-275
        cpu: 128, // 100m
        user: "10001", // D:283 (k8s sets no group); node is not setcap'd, so no opt-out (k8s adds no capability, D:284-286)
        // Sessions in Redis at the hard-coded host session-db (server.js:22-29, config.js:16); shared across tasks.
        env: { SESSION_REDIS: "true" },
        connects: ["catalogue", "carts", "orders", "user", "session-db"],
    },

    catalogue: {
        image: "weaveworksdemos/catalogue:0.3.5",
        port: 80,
        protocol: "http",
        command: ["/app", "-port=80"], // D:152-154 (same as the image CMD)
        // DSN default catalogue_user:default_password@tcp(catalogue-db:3306)/socksdb is in the code (main.go:46).
        health: { command: ["CMD-SHELL", "wget -qO- http://localhost/health || exit 1"], gracePeriodSeconds: 180 }, // D:173-184
        memory: { reservation: 100, limit: 200 }, // D:155-161
        cpu: 128,
        user: "10001:10001",
        optOut: { noNewPrivileges: bindsPort80 },
        connects: ["catalogue-db"],
    },

    // MySQL 5.7 with socksdb baked in: dump.sql runs from /docker-entrypoint-initdb.d on first start (no init job).
    "catalogue-db": {
        image: "weaveworksdemos/catalogue-db:0.3.0",
        port: 3306,
        protocol: "tcp",
        env: { MYSQL_DATABASE: "socksdb" }, // C:45, D:228-229
        secrets: { MYSQL_ROOT_PASSWORD: { generate: { length: 32 } } }, // k8s: fake_password (D:226-227); only the DB uses it
        volumes: { "/var/lib/mysql": "scratch" }, // image VOLUME; k8s mounts nothing, data re-seeded per task
        user: "999:999", // mysql (useradd -r, mysql 5.7/Dockerfile:4) — verify
        optOut: { readonlyRootFilesystem: "mysqld writes its socket and pid file in /var/run/mysqld on the root filesystem" },
        memory: { reservation: 512, limit: 1024 }, // ESTIMATE: MySQL 5.7 defaults (performance_schema) need about 400 MiB
    },

    carts: {
        image: "weaveworksdemos/carts:0.4.8",
        port: 80,
        protocol: "http",
        env: { JAVA_OPTS: "-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false" },
        memory: { reservation: 200, limit: 500 }, // D:30-36
        cpu: 128,
        user: "10001:10001", // D:41
        optOut: { noNewPrivileges: bindsPort80 },
        connects: ["carts-db"], // mongodb://carts-db:27017/data (application.properties:2)
    },

    "carts-db": {
        image: "mongo:3.4", // C:60; k8s uses untagged mongo (D:94), too new for the 2017 driver
        port: 27017,
        protocol: "tcp",
        volumes: { "/data/db": "scratch" }, // image VOLUME (mongo 3.4/Dockerfile:98-100); ephemeral as in k8s
        user: "999:999", // mongodb (useradd -r) — verify
        memory: { reservation: 256, limit: 512 }, // ESTIMATE
    },

    orders: {
        image: "weaveworksdemos/orders:0.4.7",
        port: 80,
        protocol: "http",
        env: { JAVA_OPTS: "-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false" },
        memory: { reservation: 300, limit: 500 }, // D:344-350
        cpu: 128,
        user: "10001:10001", // D:355
        optOut: { noNewPrivileges: bindsPort80 },
        // orders-db (application.properties:2), http://payment and http://shipping (OrdersConfigurationProperties.java:11-17),
        // and the HATEOAS links the front-end passes in (user, carts).
        connects: ["orders-db", "payment", "shipping", "user", "carts"],
    },

    "orders-db": {
        image: "mongo:3.4", // C:86; k8s untagged mongo (D:408)
        port: 27017,
        protocol: "tcp",
        volumes: { "/data/db": "scratch" },
        user: "999:999",
        memory: { reservation: 256, limit: 512 }, // ESTIMATE
    },

    payment: {
        image: "weaveworksdemos/payment:0.4.3",
        port: 80,
        protocol: "http",
        health: { command: ["CMD-SHELL", "wget -qO- http://localhost/health || exit 1"], gracePeriodSeconds: 180 }, // D:484-495
        memory: { reservation: 100, limit: 200 }, // D:466-472
        cpu: 128, // 99m
        user: "10001:10001",
        optOut: { noNewPrivileges: bindsPort80 },
    },

    shipping: {
        image: "weaveworksdemos/shipping:0.4.8",
        port: 80,
        protocol: "http",
        env: { JAVA_OPTS: "-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false" },
        memory: { reservation: 300, limit: 500 }, // D:713-719
        cpu: 128,
        user: "10001:10001", // D:724
        optOut: { noNewPrivileges: bindsPort80 },
        connects: ["rabbitmq"], // spring.rabbitmq.host=rabbitmq, guest/guest (application.properties:2)
    },

    // Consumes shipping-task. Its Docker-socket worker spawning (DockerSpawner.java) cannot work on ECS, as in k8s.
    "queue-master": {
        image: "weaveworksdemos/queue-master:0.3.1",
        port: 80, // serves /health only; nothing calls it
        protocol: "http",
        env: { JAVA_OPTS: "-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false" },
        memory: { reservation: 300, limit: 500 }, // D:539-545
        cpu: 128,
        user: "10001:10001", // k8s sets none (image has no USER); the msd-java myuser
        optOut: { noNewPrivileges: bindsPort80 },
        connects: ["rabbitmq"],
    },

    rabbitmq: {
        image: "rabbitmq:3.6.8", // C:125; k8s rabbitmq:3.6.8-management (D:589) adds port 15672, which no Service exposes
        port: 5672,
        protocol: "tcp", // AMQP
        volumes: { "/var/lib/rabbitmq": "scratch" }, // image VOLUME and HOME (mnesia, erlang cookie), mode 777
        user: "999:999", // rabbitmq (useradd -r) — verify
        memory: { reservation: 256, limit: 512 }, // ESTIMATE
        // k8s sidecar kbudde/rabbitmq-exporter (D:605-609) not expressible: one container per service.
    },

    "session-db": {
        image: "redis:7.2-alpine", // D:657 says redis:alpine (not in compose), a floating tag
        port: 6379,
        protocol: "tcp",
        volumes: { "/data": "scratch" }, // image VOLUME; k8s mounts nothing
        user: "999:1000", // the image's redis user, owner of /data
        health: { command: ["CMD-SHELL", "redis-cli ping | grep -q PONG"] },
        memory: { reservation: 64, limit: 128 }, // ESTIMATE
    },

    user: {
        image: "weaveworksdemos/user:0.4.7", // D:778 (compose: 0.4.4, C:146)
        port: 80,
        protocol: "http",
        // The code reads MONGO_HOST (db/mongodb/mongodb.go:29); k8s sets "mongo" (D:788-790), which nothing reads.
        env: { MONGO_HOST: "user-db:27017" }, // compose C:154-155
        health: { command: ["CMD-SHELL", "wget -qO- http://localhost/health || exit 1"], gracePeriodSeconds: 180 }, // D:800-811
        memory: { reservation: 100, limit: 200 }, // D:779-785
        cpu: 128,
        user: "10001:10001",
        optOut: { noNewPrivileges: bindsPort80 },
        connects: ["user-db"],
    },

    // Mongo 3 with the users/cards/addresses baked into /data/db-users at image build (user docker/user-db/Dockerfile).
    "user-db": {
        image: "weaveworksdemos/user-db:0.3.0", // D:852 (compose: 0.4.0, C:157; same Dockerfile)
        port: 27017,
        protocol: "tcp",
        // A Dockerfile VOLUME: the scratch mount is filled with the image's seed data (and ownership) at task start.
        volumes: { "/data/db-users": "scratch" },
        user: "999:999", // mongodb — verify
        memory: { reservation: 256, limit: 512 }, // ESTIMATE
    },

    // Compose-only one-shot load test (C:169-175). As a fleet job it cannot use Service Connect, so it would target the
    // public host; and "once" is not a schedule. Left out:
    // "user-sim": {
    //     image: "weaveworksdemos/load-test:0.1.1",
    //     command: ["-d", "60", "-r", "200", "-c", "2", "-h", "socks.example.com"],
    //     schedule: "cron(0 12 1 1 ? 2031)",
    //     memory: { reservation: 128, limit: 256 },
    // },
} satisfies Catalog;

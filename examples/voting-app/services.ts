/**
 * Docker's Example Voting App (dockersamples/example-voting-app @ 63e9150), written as a fleet catalog from
 * its own compose file (C:) and Kubernetes manifests (K/).
 *
 * - Names are fixed by the code: vote -> "redis" (vote/app.py:21), worker -> "redis" and "db" (worker/Program.cs:19-20),
 *   result -> "db" (result/server.js:21). Keep them; the <NAME>_ADDR variables fleet injects are unused.
 * - No manifest sets memory or CPU: every memory value below is an ESTIMATE, cpu is fleet's default.
 * - Images: compose/k8s use bare names (= latest, which fleet refuses). CI pushes latest/before/after together on
 *   every main build (.github/workflows/call-docker-build-*.yaml:60-63), so ":after" is the current build; pin digests for prod.
 */
import { Catalog } from "../../model/catalog";

export const services = {
    // Internet-facing (compose 8080:80 C:21-22; k8s NodePort 31000 K/vote-service.yaml:8-13).
    vote: {
        image: "dockersamples/examplevotingapp_vote:after",
        port: 80, // gunicorn -b 0.0.0.0:80 (vote/Dockerfile:32); fleet lowers ip_unprivileged_port_start for a port < 1024
        protocol: "http",
        routes: [{ host: "vote" }],
        health: { path: "/", matcher: "200" }, // compose: curl -f http://localhost (C:13-18)
        memory: { reservation: 128, limit: 256 }, // ESTIMATE: 4 gunicorn workers
        // env: { OPTION_A: "Cats", OPTION_B: "Dogs" }, // the code's defaults (vote/app.py:9-10); not set by the app's manifests
        connects: ["redis"], // hard-coded Redis(host="redis") on 6379
    },

    // Internet-facing (compose 8081:80 C:37; k8s NodePort 31001 K/result-service.yaml:8-13). socket.io: keep one task
    // (long-polling needs stickiness with several tasks, which fleet does not configure).
    result: {
        image: "dockersamples/examplevotingapp_result:after",
        port: 80, // ENV PORT=80 (result/Dockerfile:21)
        protocol: "http",
        routes: [{ host: "result" }],
        health: { path: "/", matcher: "200" }, // no healthcheck in the app; / serves views/index.html (server.js:70-72)
        memory: { reservation: 128, limit: 256 }, // ESTIMATE
        desiredCount: 1,
        connects: ["db"], // postgres://postgres:postgres@db/postgres hard-coded (server.js:21)
    },

    // Pops votes from Redis and upserts them in Postgres; also creates the votes table (Program.cs:96-100). No port.
    worker: {
        image: "dockersamples/examplevotingapp_worker:after",
        memory: { reservation: 128, limit: 256 }, // ESTIMATE (.NET 7 runtime)
        connects: ["redis", "db"],
    },

    redis: {
        image: "redis:7.2-alpine", // C:55 and K/redis-deployment.yaml:18 say redis:alpine, a floating tag
        port: 6379,
        protocol: "tcp",
        volumes: { "/data": "scratch" }, // k8s emptyDir (K/redis-deployment.yaml:23-28); only a queue, ephemeral is fine
        // The image's redis user (uid 999, gid 1000) owns /data, a Dockerfile VOLUME whose ownership ECS copies into the mount.
        user: "999:1000",
        health: { command: ["CMD-SHELL", "redis-cli ping | grep -q PONG"] }, // healthchecks/redis.sh:4-8, inlined
        memory: { reservation: 64, limit: 128 }, // ESTIMATE
    },

    db: {
        image: "postgres:15-alpine",
        port: 5432,
        protocol: "tcp",
        env: { POSTGRES_USER: "postgres" }, // C:67
        secrets: {
            // MUST hold the literal "postgres": result (server.js:21) and worker (Program.cs:19,49) have it compiled in.
            // pulumi config set --secret votingDbPassword postgres
            POSTGRES_PASSWORD: { fromConfig: "votingDbPassword" },
        },
        // Compose persists it in the named volume db-data (C:69-70); k8s uses an emptyDir. EFS needs the numeric user:
        // the image's postgres user is uid/gid 70 on alpine (docker-library/postgres 15/alpine3.23/Dockerfile:12-13).
        volumes: { "/var/lib/postgresql/data": { efs: "pgdata" } },
        user: "70:70",
        optOut: {
            readonlyRootFilesystem:
                "postgres keeps its unix socket and lock in /var/run/postgresql which the image entrypoint init psql needs",
        },
        // healthchecks/postgres.sh:4-19 inlined (the compose file bind-mounts the script from the host).
        health: {
            command: [
                "CMD-SHELL",
                "PGPASSWORD=\"$POSTGRES_PASSWORD\" psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' | grep -q 1",
            ],
            gracePeriodSeconds: 60,
        },
        memory: { reservation: 256, limit: 512 }, // ESTIMATE
        // One writer of its data directory: a deployment stops the old task before the new one starts.
        desiredCount: 1,
        deployment: "recreate",
    },

    // One-shot seeding job (compose profile "seed", C:78-89). Not enabled: there is no published image, a job cannot use
    // Service Connect (http://vote/ is hard-coded in seed-data/generate-votes.sh:4-6), and "run once" is not a schedule.
    // seed: {
    //     build: "./apps/voting-seed", // copy of seed-data/ (Apache-2.0) into this repository
    //     schedule: "cron(0 12 1 1 ? 2031)", // nearest thing to "once"
    //     command: ["sh", "-c", "for p in posta postb posta; do ab -n 1000 -c 50 -p $p \
    //         -T application/x-www-form-urlencoded https://vote.example.com/; done"],
    //     memory: { reservation: 64, limit: 128 },
    // },
} satisfies Catalog;

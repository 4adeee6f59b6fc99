/**
 * The catalog: one entry per microservice. Adding a service is adding one key here; per-stack
 * tuning (memory, counts, capacity) goes under `fleet:services` in `Pulumi.<stack>.yaml`.
 * The contract is `model/catalog.ts` (and the README's catalog reference).
 */
import { Catalog } from "../model/catalog";

export const services: Catalog = {
    // The web front end, on its own host.
    web: {
        build: "./apps/web",
        port: 8080,
        routes: [{ host: "www" }],
        health: { path: "/healthz" },
        memory: { reservation: 128, limit: 256 },
        cpu: 256,
        env: { SERVICE_NAME: "web" },
        scaling: { min: 1, max: 4, requestsPerTarget: 500 },
    },

    // The API, on its own host and under /api on every other host.
    api: {
        build: { context: "./apps/api", args: { NODE_VERSION: "22" } },
        port: 8080,
        routes: [{ host: "api" }, { path: "/api/*" }],
        health: { path: "/healthz", matcher: "200" },
        memory: { reservation: 256, limit: 512 },
        cpu: 256,
        env: { LOG_LEVEL: "info" },
        secrets: {
            DATABASE_PASSWORD: { fromConfig: "apiDatabasePassword" },
            SESSION_KEY: { generate: { length: 48 } },
        },
        scaling: { min: 1, max: 6, cpuPercent: 60 },
    },

    // A background worker: the API image in another role, no port, no routes.
    worker: {
        build: { context: "./apps/api", args: { NODE_VERSION: "22" } },
        command: ["node", "worker.js"],
        memory: { reservation: 128, limit: 256 },
        cpu: 256,
        env: { INTERVAL_SECONDS: "30" },
        secrets: {
            DATABASE_PASSWORD: { fromConfig: "apiDatabasePassword" },
            // A parameter managed elsewhere is referenced, not created; it must exist before the
            // first deploy, e.g.: THIRD_PARTY_TOKEN: { existing: "/shared/third-party/token" },
        },
    },

    // Documentation served by an upstream image from ECR Public, through the pull-through cache,
    // on its own host: nginx serves its site at /, so a path prefix such as /docs/* would only
    // ever reach its 404 page. The unprivileged build listens on 8080 as uid 101 and keeps its
    // temp files in /tmp.
    docs: {
        image: "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine",
        user: "101",
        port: 8080,
        routes: [{ host: "docs" }],
        health: { path: "/", matcher: "200" },
        memory: { reservation: 64, limit: 128 },
        cpu: 128,
    },

    // A status page from Docker Hub (an official-style image), through the authenticated cache.
    status: {
        image: "hashicorp/http-echo:1.0",
        command: ["-listen=:5678", "-text=ok"],
        user: "65534",
        port: 5678,
        routes: [{ host: "status" }],
        health: { path: "/" },
        memory: { reservation: 32, limit: 64 },
        cpu: 128,
    },
};

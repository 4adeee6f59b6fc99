/**
 * Google's Online Boutique (GoogleCloudPlatform/microservices-demo, images v0.10.6), written as a fleet
 * catalog from its own Kubernetes manifests (release/kubernetes-manifests.yaml, R:<line>): eleven
 * services, gRPC between them, Redis for the carts.
 *
 * - memory: the manifests' requests are the reservation, their limits the hard limit (MiB); cpu is
 *   the request in CPU units (1024 = 1 vCPU), at least fleet's 128.
 * - The app reads its own `*_SERVICE_ADDR` variables, so each caller sets them in env as
 *   `<name>:<container port>` (Service Connect resolves the name); the `<NAME>_ADDR` that `connects`
 *   also gives are unused. `connects` is what opens each server's port to its callers.
 * - user "1000:1000" as the pods' runAsUser/runAsGroup; the pods already run read-only with every
 *   capability dropped, so nothing is opted out.
 * - The gRPC servers answer only the grpc.health.v1 service and their images carry no probe binary,
 *   so they have no container health check: the plan warns about each (a hung task stays in service).
 * - us-central1-docker.pkg.dev has no ECR pull-through cache: the images are pulled from it directly.
 */
import { Catalog } from "../../model/catalog";

export const services = {
    // The only internet-facing service (k8s Service frontend-external, type LoadBalancer, 80 -> 8080; R:129-142).
    frontend: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend:v0.10.6",
        port: 8080,
        protocol: "http",
        // The app owns "/" (BASE_URL unset), so a host route; set env BASE_URL to serve under a path instead.
        routes: [{ host: "shop" }],
        // R:56-71 (k8s also sends a Cookie header, which an ALB health check cannot; harmless).
        health: { path: "/_healthz", matcher: "200", gracePeriodSeconds: 10 },
        memory: { reservation: 64, limit: 128 }, // R:106-112
        cpu: 128, // request 100m = 102 units, below fleet's minimum
        user: "1000:1000",
        env: {
            PORT: "8080",
            PRODUCT_CATALOG_SERVICE_ADDR: "productcatalogservice:3550",
            CURRENCY_SERVICE_ADDR: "currencyservice:7000",
            CART_SERVICE_ADDR: "cartservice:7070",
            RECOMMENDATION_SERVICE_ADDR: "recommendationservice:8080",
            SHIPPING_SERVICE_ADDR: "shippingservice:50051",
            CHECKOUT_SERVICE_ADDR: "checkoutservice:5050",
            AD_SERVICE_ADDR: "adservice:9555",
            // Required by the code (main.go:139 panics if unset) although the service is not deployed; never dialled at start.
            SHOPPING_ASSISTANT_SERVICE_ADDR: "shoppingassistantservice:80",
            ENABLE_PROFILER: "0",
            // ENV_PLATFORM: "aws", // optional banner; commented out in R:91-94
        },
        connects: [
            "productcatalogservice",
            "currencyservice",
            "cartservice",
            "recommendationservice",
            "shippingservice",
            "checkoutservice",
            "adservice",
        ],
    },

    adservice: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/adservice:v0.10.6",
        port: 9555,
        protocol: "grpc",
        memory: { reservation: 180, limit: 300 }, // R:186-192
        cpu: 205, // 200m
        stopTimeout: 5, // terminationGracePeriodSeconds R:165
        user: "1000:1000",
        env: { PORT: "9555" },
    },

    currencyservice: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/currencyservice:v0.10.6",
        port: 7000,
        protocol: "grpc",
        memory: { reservation: 64, limit: 128 }, // R:270-276
        cpu: 128, // 100m
        stopTimeout: 5,
        user: "1000:1000",
        env: { PORT: "7000", DISABLE_PROFILER: "1" },
    },

    cartservice: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/cartservice:v0.10.6",
        port: 7070,
        protocol: "grpc", // Kestrel HTTP/2 only (appsettings.json:10-12)
        memory: { reservation: 64, limit: 128 }, // R:335-341
        cpu: 205, // 200m
        stopTimeout: 5,
        user: "1000:1000",
        env: { REDIS_ADDR: "redis-cart:6379" }, // without it the cart silently falls back to memory (Startup.cs:51-56)
        connects: ["redis-cart"],
    },

    "redis-cart": {
        image: "redis:7.2-alpine", // R:401 says redis:alpine, a floating tag
        port: 6379,
        protocol: "tcp",
        // R:412-424: an emptyDir, so the carts are ephemeral in k8s too.
        volumes: { "/data": "scratch" },
        // k8s runs 1000:1000 and makes the emptyDir writable with fsGroup 1000; ECS has no fsGroup. The image's redis
        // user is 999:1000 and owns /data (a Dockerfile VOLUME, whose ownership ECS copies into the mount).
        user: "999:1000",
        health: { command: ["CMD-SHELL", "redis-cli ping | grep -q PONG"] }, // k8s: tcpSocket 6379 (R:404-411)
        memory: { reservation: 200, limit: 256 }, // R:415-421
        cpu: 128, // request 70m = 72 units, below fleet's minimum
    },

    // A continuous load generator (a Deployment without a port or Service, R:441-521): a worker,
    // turned off in prod (fleet:services.loadgenerator.enabled: false).
    loadgenerator: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/loadgenerator:v0.10.6",
        memory: { reservation: 256, limit: 512 }, // R:515-521
        cpu: 307, // 300m
        stopTimeout: 5,
        user: "1000:1000",
        // k8s: frontend:80 (the Service port); Service Connect serves the frontend on its container port.
        env: { FRONTEND_ADDR: "frontend:8080", USERS: "10", RATE: "1" },
        connects: ["frontend"],
        // The k8s initContainer frontend-check (R:467-497) has no fleet equivalent; locust retries on its own.
    },

    recommendationservice: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/recommendationservice:v0.10.6",
        port: 8080,
        protocol: "grpc",
        memory: { reservation: 220, limit: 450 }, // R:577-583
        cpu: 128, // 100m
        stopTimeout: 5,
        user: "1000:1000",
        env: { PORT: "8080", PRODUCT_CATALOG_SERVICE_ADDR: "productcatalogservice:3550", DISABLE_PROFILER: "1" },
        connects: ["productcatalogservice"],
    },

    checkoutservice: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/checkoutservice:v0.10.6",
        port: 5050,
        protocol: "grpc",
        memory: { reservation: 64, limit: 128 }, // R:659-665
        cpu: 128, // 100m
        user: "1000:1000",
        env: {
            PORT: "5050",
            PRODUCT_CATALOG_SERVICE_ADDR: "productcatalogservice:3550",
            SHIPPING_SERVICE_ADDR: "shippingservice:50051",
            PAYMENT_SERVICE_ADDR: "paymentservice:50051",
            // k8s: emailservice:5000 (Service port 5000 -> targetPort 8080, R:753-755); fleet reaches the container port.
            EMAIL_SERVICE_ADDR: "emailservice:8080",
            CURRENCY_SERVICE_ADDR: "currencyservice:7000",
            CART_SERVICE_ADDR: "cartservice:7070",
        },
        connects: ["productcatalogservice", "shippingservice", "paymentservice", "emailservice", "currencyservice", "cartservice"],
    },

    emailservice: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/emailservice:v0.10.6",
        port: 8080,
        protocol: "grpc",
        memory: { reservation: 64, limit: 128 }, // R:734-740
        cpu: 128, // 100m
        stopTimeout: 5,
        user: "1000:1000",
        env: { PORT: "8080", DISABLE_PROFILER: "1" },
    },

    paymentservice: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/paymentservice:v0.10.6",
        port: 50051,
        protocol: "grpc",
        memory: { reservation: 64, limit: 128 }, // R:807-813
        cpu: 128, // 100m
        stopTimeout: 5,
        user: "1000:1000",
        env: { PORT: "50051", DISABLE_PROFILER: "1" },
    },

    shippingservice: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/shippingservice:v0.10.6",
        port: 50051,
        protocol: "grpc",
        memory: { reservation: 64, limit: 128 }, // R:880-886
        cpu: 128, // 100m
        user: "1000:1000",
        env: { PORT: "50051", DISABLE_PROFILER: "1" },
    },

    productcatalogservice: {
        image: "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/productcatalogservice:v0.10.6",
        port: 3550,
        protocol: "grpc",
        memory: { reservation: 64, limit: 128 }, // R:953-959
        cpu: 128, // 100m
        stopTimeout: 5,
        user: "1000:1000",
        env: { PORT: "3550", DISABLE_PROFILER: "1" },
    },
} satisfies Catalog;

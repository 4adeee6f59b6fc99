/**
 * Every problem fleet reports has a code naming the rule the input breaks, as compilers and linters
 * keep them (TypeScript's TS2322, ESLint's rule ids): stable across changes of wording, namespaced by
 * area. This table is the one list of them, each with a line saying the rule; docs/problems.md is
 * generated from it (`npm run schema`), and test/problems.test.ts checks that every code is reported
 * by some input of its corpus and that every code reported is here.
 *
 * A code is never renamed or reused for another rule: CI and scripts match on it.
 */

/**
 * Rules of a value's shape, the same in the catalog and in the stack file: a schema reports
 * `<rule>` and the code is `catalog/<rule>` or `stack/<rule>` by where the value is
 * (model/schema.ts). zod's own issues, which fleet gives no words, are named by zod's issue code.
 */
export type ShapeRule =
    | "required"
    | "invalid-type"
    | "not-an-object"
    | "not-a-list"
    | "not-a-map"
    | "not-a-string"
    | "not-true-or-false"
    | "number-out-of-range"
    | "invalid-choice"
    | "unknown-field"
    | "url-for-name";

/** The areas codes are namespaced by (`<area>/<rule>`), in the order docs/problems.md lists them. */
export const problemAreas = {
    catalog: "The catalog: an entry's fields, as `services/index.ts` (or a stack's `fleet:services`) writes them",
    image: "The image a service runs: a published image, or one built from a context in the repository",
    capacity: "Where a service's tasks run and how large they are",
    routing: "Routes on the load balancer, and the listener rules they become",
    protocol: "What a server speaks on its port",
    health: "Health checks",
    secrets: "Secrets: where each value comes from, injected by reference",
    scaling: "Autoscaling: target tracking, queues and scheduled bounds",
    jobs: "Jobs: entries with a schedule",
    security: "Security defaults and their opt-outs",
    access: "Task-role grants to AWS resources",
    connects: "Calls between services through Service Connect",
    volumes: "Volumes: scratch space and the stack's EFS file systems",
    stack: "The stack file: the `fleet:*` keys of `Pulumi.<stack>.yaml`",
    dns: "`fleet:dns`: records and a certificate for the routed hosts",
    program: "Values a Pulumi program of your own gives the services (infra/program.ts `env`)",
} as const;

export const problemCodes = {
    "catalog/empty": "the catalog exports no service",
    "catalog/service-name-invalid": "a service name is not a DNS label of 2-63 lowercase letters, digits and hyphens",
    "catalog/service-name-clash": "two services' names are shortened to the same name of an AWS resource",
    "catalog/entry-not-an-object": "a catalog entry is not an object of fields",
    "catalog/required": "a field the entry must have is missing",
    "catalog/invalid-type": "a field has a value of a type it does not take",
    "catalog/not-an-object": "a field that takes an object has another value",
    "catalog/not-a-list": "a field that takes a list has another value",
    "catalog/not-a-map": "a field that maps names to values has another value",
    "catalog/not-a-string": "a field that takes a string has another value",
    "catalog/number-out-of-range": "a number is not a whole number in the field's range",
    "catalog/invalid-choice": "a field's value is not one of those it takes",
    "catalog/unknown-field": "an entry or an object in it has a field fleet does not know (a typo)",
    "catalog/url-for-name": "a URL is pasted where a resource's name or ARN goes",
    "catalog/memory-reservation-not-below-limit": "the soft memory reservation is not below the hard limit",
    "catalog/deregistration-delay-above-stop-timeout": "the load balancer drains a task for longer than ECS waits before killing it",
    "catalog/command-invalid": "a command is not a non-empty list of strings",
    "catalog/variable-name-invalid": "an environment variable or secret name is not a shell identifier",
    "catalog/kms-key-invalid": "a KMS key is not given by its ARN or key id",
    "catalog/time-zone-unknown": "a time zone is not an IANA time zone",

    "image/neither-image-nor-build": "an entry has neither image nor build",
    "image/both-image-and-build": "an entry has both image and build",
    "image/reference-invalid": "an image reference is malformed or has no tag or digest",
    "image/build-context-outside-repository": "a build context is not a path inside the repository",
    "image/dockerfile-outside-context": "a Dockerfile path leaves its build context",
    "image/dockerfile-missing": "a build context has no Dockerfile",
    "image/build-tag-unavailable": "the run cannot hash build contexts into image tags",
    "image/build-context-unhashable": "a build context cannot be read to hash it into an image tag",
    "image/credentials-in-ssm": "registry credentials are in an SSM parameter, where ECS does not read them",
    "image/credentials-with-build": "registry credentials are set on a service that builds its image",
    "image/credentials-with-ecr-image": "registry credentials are set on an image in ECR",

    "capacity/ec2-not-in-stack": "a service runs on EC2 capacity that the stack does not have",
    "capacity/memory-above-instance": "a memory limit is above what the stack's instance type registers for tasks",
    "capacity/memory-with-agent-above-instance":
        "a memory limit with the Service Connect agent's is above what the stack's instance type registers for tasks",
    "capacity/cpu-above-instance": "a CPU size is above the stack's instance type's",
    "capacity/cpu-with-agent-above-instance": "a CPU size with the Service Connect agent's is above the stack's instance type's",
    "capacity/no-fargate-size": "no Fargate task size holds the CPU and memory",
    "capacity/no-fargate-size-with-agent": "no Fargate task size holds the CPU and memory with the Service Connect agent's",
    "capacity/fargate-stop-timeout": "a stop timeout is above Fargate's maximum",

    "routing/port-required": "a service with routes has no port",
    "routing/host-empty": "a route's host is not a non-empty string",
    "routing/host-is-url": "a route's host is a URL",
    "routing/host-invalid": "a route's host is not a valid ALB host condition",
    "routing/subdomain-without-domain": "a route's host is a subdomain, but the stack has no fleet:domain",
    "routing/path-invalid": "a route's path is not a valid ALB path condition",
    "routing/route-matches-everything": "a route has neither host nor path",
    "routing/too-many-condition-values": "a route has more host and path values than an ALB rule takes",
    "routing/too-many-wildcards": "a route has more wildcards than an ALB rule takes",
    "routing/too-many-rules": "the catalog needs more listener rules than an ALB takes",
    "routing/claimed-by-two-services": "two services route the same host and path",
    "routing/duplicate-rule": "a service routes the same host and path twice",
    "routing/priority-collision": "two listener rules get the same priority",
    "routing/unreachable-rule": "an earlier listener rule matches every request a later one would",

    "protocol/without-port": "a protocol is set on an entry with no port",
    "protocol/tcp-routed": "a tcp server has routes, but the load balancer speaks HTTP",
    "protocol/needs-https": "a routed grpc or http2 server is on a stack without HTTPS",

    "health/path-invalid": "a health-check path is not a path",
    "health/path-without-routes": "a health-check path is set on a service with no target group",
    "health/path-not-grpc-method": "a grpc service's health-check path is not a gRPC method",
    "health/matcher-invalid": "a health-check matcher is not HTTP codes",
    "health/matcher-not-for-protocol": "a health-check matcher's codes are not the service's protocol's",
    "health/command-invalid": "a container health command is not a list starting with CMD or CMD-SHELL",

    "secrets/not-one-source": "a secret has not exactly one source",
    "secrets/field-of-another-source": "a secret has a field that goes with another source",
    "secrets/also-in-env": "a variable is both in env and in secrets",
    "secrets/config-key-with-namespace": "a secret's config key is written with its namespace",
    "secrets/config-key-is-fleet-setting": "a secret's config key is one of fleet's own stack keys",
    "secrets/config-key-not-set": "a secret's config key is not set in the stack file",
    "secrets/config-key-not-secret": "a secret's config key is stored in plain text",
    "secrets/config-value-too-long": "a secret config value is longer than an SSM Standard parameter holds",
    "secrets/not-an-ssm-parameter": "an existing secret is neither an SSM parameter nor a Secrets Manager ARN",
    "secrets/not-a-secret-arn": "a value that must be a Secrets Manager secret's ARN is not one",
    "secrets/partial-secret-arn": "a Secrets Manager ARN lacks the six characters AWS appends to the name",
    "secrets/secret-arn-with-value-from-fields": "a Secrets Manager ARN ends with an ECS valueFrom's fields",
    "secrets/json-key-invalid": "a secret's JSON key is not one ECS can select",
    "secrets/json-key-of-ssm-parameter": "a JSON key is set on an SSM parameter",
    "secrets/parameter-other-region": "an existing parameter is in another region than the stack's",
    "secrets/parameter-kms-key-other-region": "an existing parameter's KMS key is in another region than the parameter's",
    "secrets/secret-other-region": "an existing Secrets Manager secret is in another region than the stack's",
    "secrets/secret-kms-key-other-region": "a Secrets Manager secret's KMS key is in another region than the secret's",

    "scaling/min-above-max": "scaling's min is above its max",
    "scaling/no-target": "scaling has no target to track and no schedule",
    "scaling/requests-without-routes": "scaling on requests per target on a service with no routes",
    "scaling/desired-count-outside-bounds": "a desired count is outside the scaling bounds",
    "scaling/queue-name-invalid": "a queue is named by neither an SQS queue name nor an ARN",
    "scaling/queue-min-zero": "queue scaling with a min of 0",
    "scaling/queue-schedule-min-zero": "a scheduled min of 0 with queue scaling",
    "scaling/queue-other-region": "a scaling queue is in another region than the stack's",
    "scaling/queue-not-consumed": "a worker scales on a queue its access does not let it consume",
    "scaling/queue-without-container-insights": "queue scaling on a stack with Container Insights off",
    "scaling/cron-invalid": "a scheduled action's cron is not one AWS takes",
    "scaling/schedule-min-above-max": "a scheduled action's min is above its max",
    "scaling/schedule-repeated": "two scheduled actions have the same cron and time zone",

    "jobs/schedule-invalid": "a job's schedule is neither a cron nor a rate AWS takes",
    "jobs/time-zone-without-schedule": "a time zone is set on an entry with no schedule",
    "jobs/duration-without-schedule": "a job duration is set on an entry with no schedule",
    "jobs/time-zone-with-rate": "a time zone is set on a rate schedule",
    "jobs/port-on-job": "a job has a port",
    "jobs/routes-on-job": "a job has routes",
    "jobs/connects-on-job": "a job calls services through connects",
    "jobs/scaling-on-job": "a job has scaling",
    "jobs/deployment-on-job": "a job has a deployment",
    "jobs/desired-count-on-job": "a job has a desired count",

    "security/runs-as-root": "a container runs as root without opting out",
    "security/user-invalid": "a user is not a uid, uid:gid or name",
    "security/privileged-on-fargate": "privileged mode on Fargate",
    "security/unknown-opt-out": "an opt-out names no secure default",
    "security/opt-out-reason-too-short": "an opt-out's reason is too short",
    "security/opt-out-reason-too-long": "an opt-out's reason is longer than an AWS tag value",

    "access/level-invalid": "a grant's level is not one of its AWS service's",
    "access/resource-name-invalid": "a granted resource's name is not one AWS allows",
    "access/wildcard-resource": "a grant names every resource of its AWS service",
    "access/arn-not-exact": "a granted ARN has wildcards or misses a part",
    "access/key-prefix-invalid": "an S3 key prefix does not end with /* or has a wildcard elsewhere",
    "access/kms-key-other-region": "a grant's KMS key is in another region than its resource",
    "access/task-role-policy-too-large": "the grants make a task-role policy above IAM's quota",

    "connects/unknown-target": "connects names a service not in the catalog",
    "connects/self": "connects names the service itself",
    "connects/repeated": "connects names a service twice",
    "connects/turned-off-target": "connects names a service turned off in the stack",
    "connects/target-without-port": "connects names a service with no port",

    "volumes/value-invalid": 'a volume is neither "scratch" nor { efs }',
    "volumes/path-not-absolute": "a volume's container path is not absolute",
    "volumes/path-is-root": "a volume is mounted at the container's root",
    "volumes/path-not-plain": "a volume's container path has empty, . or .. parts or other characters",
    "volumes/path-is-tmpfs": "a volume is mounted at /tmp, where fleet mounts the tmpfs",
    "volumes/path-repeated": "two volumes name the same path",
    "volumes/file-system-name-invalid": "a file system name is not 1-32 lowercase letters, digits and hyphens",
    "volumes/file-system-mounted-twice": "a service mounts one file system twice",
    "volumes/efs-user-not-set": "a service mounting EFS runs the image's own user",
    "volumes/efs-user-not-numeric": "a service mounting EFS names its user rather than its uid",
    "volumes/efs-user-out-of-range": "a service mounting EFS runs as a uid or gid EFS does not take",
    "volumes/efs-user-root": "a service mounting EFS runs as root",

    "stack/name-invalid": "the stack name is not 1-12 lowercase letters, digits or hyphens",
    "stack/unknown-key": "the stack file sets a fleet:* key fleet does not know (a typo)",
    "stack/required": "a stack key or field that must be set is missing",
    "stack/invalid-type": "a stack value has a type it does not take",
    "stack/not-an-object": "a stack value that takes an object has another value",
    "stack/not-a-list": "a stack value that takes a list has another value",
    "stack/not-a-map": "a stack value that maps names to values has another value",
    "stack/not-true-or-false": "a stack value that takes true or false has another value",
    "stack/number-out-of-range": "a number is not a whole number in the key's range",
    "stack/invalid-choice": "a stack value is not one of those it takes",
    "stack/unknown-field": "a stack key's object has a field fleet does not know (a typo)",
    "stack/url-for-name": "a URL is pasted where a resource's name goes",
    "stack/domain-invalid": "fleet:domain is not a lowercase DNS domain",
    "stack/vpc-id-invalid": "a VPC id is malformed",
    "stack/subnet-ids-invalid": "subnet ids are not at least two well-formed ids",
    "stack/subnet-repeated": "a subnet id is listed twice",
    "stack/private-subnet-also-public": "a private subnet is also listed as public",
    "stack/subnets-without-vpc": "subnet ids are given without their VPC",
    "stack/cidr-invalid": "a VPC CIDR is not an IPv4 range from /16 to /24",
    "stack/no-nat-gateways": "a VPC without NAT gateways, where tasks cannot start",
    "stack/instance-type-unknown": "an instance type fleet cannot size tasks for",
    "stack/ec2-min-above-max": "EC2 capacity's minSize is above its maxSize",
    "stack/default-capacity-without-ec2": "the default capacity is EC2, but the stack has none",
    "stack/certificate-arn-invalid": "a certificate is not an ACM certificate ARN",
    "stack/certificate-other-region": "the certificate is in another region than the stack's",
    "stack/ssl-policy-not-tls13": "a TLS policy is not one that refuses TLS 1.0 and 1.1",
    "stack/access-log-bucket-invalid": "an access-log bucket is not an S3 bucket name",
    "stack/access-log-prefix-invalid": "an access-log prefix starts or ends with / or contains AWSLogs",
    "stack/cache-registry-unknown": "a pull-through cache names an upstream registry ECR cannot cache",
    "stack/cache-credential-required": "an upstream registry that needs a credential has none in ecr-pullthroughcache/",
    "stack/cache-credential-not-taken": "a public upstream registry is given a credential",
    "stack/cache-credential-other-region": "a pull-through cache credential is in another region than the stack's",
    "stack/services-not-an-object": "fleet:services is not an object keyed by service name",
    "stack/override-of-unknown-service": "fleet:services overrides a service not in the catalog",
    "stack/override-not-an-object": "a service's override is not an object of catalog fields",
    "stack/enabled-not-true-or-false": "a service's enabled is not true or false",
    "stack/control-unknown": "a waiver names a control fleet does not have",
    "stack/waiver-of-unknown-service": "a waiver names a service not in the catalog",
    "stack/reason-too-short": "a waiver's or retirement's reason is too short",
    "stack/reason-too-long": "a waiver's or retirement's reason is longer than an AWS tag value",
    "stack/retired-still-in-catalog": "a retired service is still in the catalog",
    "stack/retired-name-invalid": "a retired name cannot be a service's",
    "stack/retired-parameter-invalid": "a retired service's parameters are not variable names",
    "stack/retired-file-system-name-invalid": "a retired service's file system name is not one fleet gives",
    "stack/budget-not-dollars": "a budget is not a number of US dollars a month",
    "stack/budget-empty": "fleet:budget sets neither monthly nor increase",

    "dns/zone-invalid": "the DNS zone is not a lowercase DNS name",
    "dns/zone-id-invalid": "the hosted zone id is not a Route 53 id",
    "dns/host-outside-zone": "a routed host is outside the DNS zone",
    "dns/host-wildcard-past-first-label": "a routed host has a wildcard past its first label",
    "dns/too-many-certificate-names": "the certificate would need more names than ACM's quota",
    "program/unknown-service": "the program gives a value to a service this stack does not run",
    "program/invalid-variable-name": "the program gives a value under a name that is not an environment variable's",
    "program/variable-set-by-entry": "the program gives a value to a variable the catalog entry already sets",
} as const satisfies Readonly<Record<string, string>>;

export type ProblemCode = keyof typeof problemCodes;
export type ProblemArea = keyof typeof problemAreas;

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { registryLogicalNames } from "../model/naming";
import { UpstreamRegistryKey, upstreamRegistries } from "../model/images";
import { RegistrySettings } from "../model/fleet";
import { AwsContext, iamDocumentVersion, repositoryArn } from "./iamDocuments";

/** Lifecycle policy: drop untagged layers after a day, keep the last `keep` tagged images. */
export function lifecyclePolicy(keep: number): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: "Expire untagged images after one day",
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `Keep the last ${keep} images`,
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
                action: { type: "expire" },
            },
        ],
    });
}

export interface RegistryArgs {
    readonly settings: RegistrySettings;
    /** The account and region the cache repositories live in, to scope the template role. */
    readonly aws: AwsContext;
    /** Tags for the registry's resources, and for every repository the cache creates. @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * The stack's pull-through cache: one ECR rule per enabled upstream registry, and a repository
 * creation template with the same prefix so cached repositories are scanned, encrypted, tagged
 * and expire old images. Their tags stay mutable: AWS keeps a cached tag in sync with upstream
 * only while the repository's tags are mutable.
 *
 * A template that applies resource tags (or KMS) needs a role ECR assumes to create and tag the
 * repository; without it the first pull through the cache fails (ECR user guide, "Create an IAM
 * role for repository creation templates"; aws/containers-roadmap#2398). The role may create and
 * tag repositories under the cache prefixes only.
 */
export class Registry extends pulumi.ComponentResource {
    /**
     * Per upstream registry, the resources a first pull through the cache needs: its rule, its
     * template and the template role's permissions. Services whose image comes through the cache
     * depend on them, so their tasks first pull after the template exists.
     */
    public readonly cacheDependencies: Readonly<Partial<Record<UpstreamRegistryKey, readonly pulumi.Resource[]>>>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:ecr:Registry", name, {}, opts);
        const children = registryLogicalNames(name);
        const caches = args.settings.pullThroughCache;
        const dependencies: Partial<Record<UpstreamRegistryKey, pulumi.Resource[]>> = {};
        if (caches.length > 0) {
            const role = new aws.iam.Role(
                children.cacheTemplateRole,
                {
                    description: "fleet: ECR creates and tags the repositories of the pull-through cache",
                    assumeRolePolicy: JSON.stringify({
                        Version: iamDocumentVersion,
                        Statement: [{ Effect: "Allow", Principal: { Service: "ecr.amazonaws.com" }, Action: "sts:AssumeRole" }],
                    }),
                    tags: args.tags,
                },
                { parent: this },
            );
            const templatePermissions = new aws.iam.RolePolicy(
                children.cacheTemplateRole,
                {
                    role: role.name,
                    policy: pulumi.jsonStringify({
                        Version: iamDocumentVersion,
                        Statement: [
                            {
                                Sid: "CreateTaggedCacheRepositories",
                                Effect: "Allow",
                                Action: ["ecr:CreateRepository", "ecr:TagResource"],
                                Resource: caches.map((cache) => repositoryArn(args.aws, `${cache.prefix}/*`)),
                            },
                        ],
                    }),
                },
                { parent: this },
            );
            for (const cache of caches) {
                const upstream = upstreamRegistries[cache.registry];
                const rule = new aws.ecr.PullThroughCacheRule(
                    children.cacheRule(upstream.alias),
                    {
                        ecrRepositoryPrefix: cache.prefix,
                        upstreamRegistryUrl: upstream.url,
                        credentialArn: cache.credentialArn,
                    },
                    // A prefix holds one rule and one template: a replacement must delete the old one first.
                    { parent: this, deleteBeforeReplace: true },
                );
                const template = new aws.ecr.RepositoryCreationTemplate(
                    children.cacheTemplate(upstream.alias),
                    {
                        prefix: cache.prefix,
                        appliedFors: ["PULL_THROUGH_CACHE"],
                        description: `fleet: repositories cached from ${upstream.url}`,
                        imageTagMutability: "MUTABLE",
                        encryptionConfigurations: [{ encryptionType: "AES256" }],
                        lifecyclePolicy: lifecyclePolicy(args.settings.keepImages),
                        resourceTags: args.tags,
                        customRoleArn: role.arn,
                    },
                    // The role must be allowed to create before ECR first assumes it.
                    { parent: this, dependsOn: [rule, templatePermissions], deleteBeforeReplace: true },
                );
                dependencies[cache.registry] = [rule, template, templatePermissions];
            }
        }
        this.cacheDependencies = dependencies;
        this.registerOutputs({});
    }
}

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { upstreamRegistries } from "./images";
import { RegistrySettings } from "./model";

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
    /** @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * The stack's pull-through cache: one ECR rule per enabled upstream registry, and a repository
 * creation template with the same prefix so cached repositories are scanned, encrypted and
 * expire old images. Their tags stay mutable: AWS keeps a cached tag in sync with upstream only
 * while the repository's tags are mutable.
 */
export class Registry extends pulumi.ComponentResource {
    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:ecr:Registry", name, {}, opts);
        for (const cache of args.settings.pullThroughCache) {
            const upstream = upstreamRegistries[cache.registry];
            const rule = new aws.ecr.PullThroughCacheRule(
                `${name}-${upstream.alias}`,
                {
                    ecrRepositoryPrefix: cache.prefix,
                    upstreamRegistryUrl: upstream.url,
                    credentialArn: cache.credentialArn,
                },
                { parent: this },
            );
            new aws.ecr.RepositoryCreationTemplate(
                `${name}-${upstream.alias}-template`,
                {
                    prefix: cache.prefix,
                    appliedFors: ["PULL_THROUGH_CACHE"],
                    description: `fleet: repositories cached from ${upstream.url}`,
                    imageTagMutability: "MUTABLE",
                    encryptionConfigurations: [{ encryptionType: "AES256" }],
                    lifecyclePolicy: lifecyclePolicy(args.settings.keepImages),
                    resourceTags: args.tags,
                },
                { parent: this, dependsOn: [rule] },
            );
        }
        this.registerOutputs({});
    }
}

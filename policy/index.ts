/**
 * fleet's policy pack: `pulumi preview --policy-pack policy` (and `pulumi up --policy-pack policy`).
 *
 * Every control is a stack policy running the same rule code as the offline plan
 * (`npm run plan -- --stack <s> --policy`). Enforcement comes from the stack file
 * (fleet:policy.enforcement, tagged on the ECS cluster by the program): on a mandatory stack each
 * control reports under its own mandatory policy; on an advisory stack everything reports under
 * one advisory policy. Waived violations are not reported; the plan lists them with their reasons.
 */
import { PolicyPack, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { controls, evaluateControl, ResourceIndex, ResourceView, settingsOf } from "./rules";

function indexResources(resources: PolicyResource[]): ResourceIndex {
    const views: ResourceView[] = resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: r.props,
        parentUrn: r.parent?.urn,
    }));
    return new ResourceIndex(views);
}

const perControl: StackValidationPolicy[] = controls.map((control) => ({
    name: control.policyName,
    description: `[${control.id}] ${control.description}`,
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const index = indexResources(args.resources);
        const settings = settingsOf(index);
        if (settings.enforcement !== "mandatory") return;
        for (const violation of evaluateControl(control, index, settings)) {
            if (!violation.waived) reportViolation(violation.message, violation.urn);
        }
    },
}));

const advisory: StackValidationPolicy = {
    name: "fleet-advisory-controls",
    description: "Every fleet control, as warnings, on stacks whose fleet:policy.enforcement is advisory",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const index = indexResources(args.resources);
        const settings = settingsOf(index);
        if (settings.enforcement !== "advisory") return;
        for (const control of controls) {
            for (const violation of evaluateControl(control, index, settings)) {
                if (!violation.waived) reportViolation(violation.message, violation.urn);
            }
        }
    },
};

new PolicyPack("fleet", { policies: [...perControl, advisory] });

/**
 * AWS schedule expressions, offline: the six-field `cron(...)` of EventBridge Scheduler and
 * Application Auto Scaling scheduled actions, and `rate(...)`. Parsed into a problem that names the
 * field, or into a form that lists the next runs and counts the runs in a year (for the plan's
 * jobs, capacity and cost). Pure: no @pulumi, no clock (callers pass `from`).
 *
 * Written here rather than taken from npm: the common cron libraries (cron-parser, croner) read the
 * five- or six-field Unix/Quartz forms with seconds first, not AWS's six fields with a year last
 * and the `?` rule, so every expression would need translating and their messages would not name
 * AWS's fields. AWS's syntax, for both services:
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based and
 * https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html
 */

/** One field of a cron expression, as AWS names it. */
interface FieldSpec {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    /** Names accepted for values (JAN-DEC, SUN-SAT), in order from `min`. */
    readonly names?: readonly string[];
}

const months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
/** AWS numbers days of the week 1-7 from Sunday. */
const weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const fields = {
    minutes: { name: "minutes", min: 0, max: 59 },
    hours: { name: "hours", min: 0, max: 23 },
    dayOfMonth: { name: "day-of-month", min: 1, max: 31 },
    month: { name: "month", min: 1, max: 12, names: months },
    dayOfWeek: { name: "day-of-week", min: 1, max: 7, names: weekdays },
    year: { name: "year", min: 1970, max: 2199 },
} as const satisfies Record<string, FieldSpec>;

/** A parsed cron expression: the values each field allows, and the day-of-month/day-of-week specials. */
export interface Cron {
    readonly kind: "cron";
    readonly expression: string;
    readonly minutes: readonly number[];
    readonly hours: readonly number[];
    readonly months: ReadonlySet<number>;
    readonly years: ReadonlySet<number>;
    /** `undefined`: `?` (the other day field decides). */
    readonly dayOfMonth?: {
        readonly days: ReadonlySet<number>;
        /** `L`: the last day of the month. */
        readonly last: boolean;
        /** `nW`: the weekday nearest day n, within the month. */
        readonly nearestWeekday: readonly number[];
        /** `LW`: the last weekday of the month. */
        readonly lastWeekday: boolean;
    };
    readonly dayOfWeek?: {
        readonly days: ReadonlySet<number>;
        /** `nL`: the last such weekday of the month. */
        readonly last: readonly number[];
        /** `n#k`: the k-th such weekday of the month. */
        readonly nth: readonly (readonly [number, number])[];
    };
}

export type RateUnit = "minute" | "hour" | "day";
export interface Rate {
    readonly kind: "rate";
    readonly expression: string;
    readonly value: number;
    readonly unit: RateUnit;
    /** The interval in minutes. */
    readonly minutes: number;
}

export type Schedule = Cron | Rate;

/** A parsed expression, or what is wrong with it (reads after the value: "`cron(...)` <problem>"). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const fail = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });

function value(spec: FieldSpec, text: string): number | string {
    const upper = text.toUpperCase();
    const named = spec.names?.indexOf(upper) ?? -1;
    if (named >= 0) return spec.min + named;
    if (!/^\d+$/.test(text)) {
        const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : "";
        return `has "${text}" in the ${spec.name} field, which takes ${spec.min}-${spec.max}${names}`;
    }
    const n = Number(text);
    if (n < spec.min || n > spec.max) return `has ${n} in the ${spec.name} field, outside ${spec.min}-${spec.max}`;
    return n;
}

/** `*`, `a`, `a-b`, with an optional `/step`, comma-separated: the values of one field. */
function values(spec: FieldSpec, text: string): number[] | string {
    const result = new Set<number>();
    for (const item of text.split(",")) {
        const [range, step, extra] = item.split("/");
        if (extra !== undefined || range === "" || step === "")
            return `has "${item}" in the ${spec.name} field, which is not a value, range or step`;
        let from = spec.min;
        let to = spec.max;
        if (range !== "*") {
            const [a, b, more] = range.split("-");
            if (more !== undefined || a === "" || b === "")
                return `has "${item}" in the ${spec.name} field, which is not a value, range or step`;
            const start = value(spec, a);
            if (typeof start === "string") return start;
            const end = b === undefined ? (step === undefined ? start : spec.max) : value(spec, b);
            if (typeof end === "string") return end;
            if (end < start) return `has the range ${range} in the ${spec.name} field, which runs backwards`;
            [from, to] = [start, end];
        }
        let by = 1;
        if (step !== undefined) {
            if (!/^\d+$/.test(step) || Number(step) < 1)
                return `has the step "/${step}" in the ${spec.name} field, which must be a positive whole number`;
            by = Number(step);
        }
        for (let n = from; n <= to; n += by) result.add(n);
    }
    return [...result].sort((x, y) => x - y);
}

function dayOfMonth(text: string): Cron["dayOfMonth"] | string {
    const days = new Set<number>();
    const nearestWeekday: number[] = [];
    let last = false;
    let lastWeekday = false;
    for (const item of text.split(",")) {
        if (item === "L") last = true;
        else if (item === "LW") lastWeekday = true;
        else if (/^\d+W$/.test(item)) {
            const day = value(fields.dayOfMonth, item.slice(0, -1));
            if (typeof day === "string") return day;
            nearestWeekday.push(day);
        } else {
            const listed = values(fields.dayOfMonth, item);
            if (typeof listed === "string") return listed;
            listed.forEach((d) => days.add(d));
        }
    }
    return { days, last, nearestWeekday, lastWeekday };
}

function dayOfWeek(text: string): Cron["dayOfWeek"] | string {
    const days = new Set<number>();
    const last: number[] = [];
    const nth: [number, number][] = [];
    for (const item of text.split(",")) {
        const hash = /^([A-Za-z]+|\d+)#(\d+)$/.exec(item);
        const lastOf = /^([A-Za-z]+|\d+)L$/.exec(item);
        if (hash) {
            const day = value(fields.dayOfWeek, hash[1]);
            if (typeof day === "string") return day;
            const k = Number(hash[2]);
            if (k < 1 || k > 5) return `has "${item}" in the day-of-week field: the week after # must be 1-5`;
            nth.push([day, k]);
        } else if (lastOf && item !== "L") {
            const day = value(fields.dayOfWeek, lastOf[1]);
            if (typeof day === "string") return day;
            last.push(day);
        } else {
            const listed = values(fields.dayOfWeek, item);
            if (typeof listed === "string") return listed;
            listed.forEach((d) => days.add(d));
        }
    }
    return { days, last, nth };
}

/** Parses `cron(minutes hours day-of-month month day-of-week year)`. */
export function parseCron(expression: string): Parsed<Cron> {
    const body = /^cron\((.*)\)$/.exec(expression.trim());
    if (!body) return fail("is not a cron expression");
    const parts = body[1].trim().split(/\s+/);
    if (parts.length !== 6) {
        return fail(
            `has ${parts.length} field${parts.length === 1 ? "" : "s"}; ` +
                "AWS cron has six: minutes hours day-of-month month day-of-week year",
        );
    }
    const [min, hour, dom, month, dow, year] = parts;
    if ((dom === "?") === (dow === "?")) {
        return fail(
            dom === "?"
                ? "has ? in both day-of-month and day-of-week: exactly one of them must be ?"
                : "sets both day-of-month and day-of-week: AWS needs ? in one of them (e.g. ? for day-of-month with MON-FRI)",
        );
    }
    const minutes = values(fields.minutes, min);
    if (typeof minutes === "string") return fail(minutes);
    const hours = values(fields.hours, hour);
    if (typeof hours === "string") return fail(hours);
    const monthValues = values(fields.month, month);
    if (typeof monthValues === "string") return fail(monthValues);
    const yearValues = values(fields.year, year);
    if (typeof yearValues === "string") return fail(yearValues);
    const domValue = dom === "?" ? undefined : dayOfMonth(dom);
    if (typeof domValue === "string") return fail(domValue);
    const dowValue = dow === "?" ? undefined : dayOfWeek(dow);
    if (typeof dowValue === "string") return fail(dowValue);
    return {
        ok: true,
        value: {
            kind: "cron",
            expression: expression.trim(),
            minutes,
            hours,
            months: new Set(monthValues),
            years: new Set(yearValues),
            dayOfMonth: domValue,
            dayOfWeek: dowValue,
        },
    };
}

/** Parses `rate(value unit)`: a positive whole number and minute(s), hour(s) or day(s), singular for 1. */
export function parseRate(expression: string): Parsed<Rate> {
    const match = /^rate\((\S+) (\S+)\)$/.exec(expression.trim());
    if (!match) return fail("is not a rate expression, rate(<value> <unit>)");
    const [, text, unit] = match;
    if (!/^[1-9]\d*$/.test(text)) return fail(`has the value ${text}, which must be a positive whole number`);
    const value = Number(text);
    const base = unit.replace(/s$/, "") as RateUnit;
    if (!["minute", "hour", "day"].includes(base)) return fail(`has the unit ${unit}; use minute(s), hour(s) or day(s)`);
    const expected = value === 1 ? base : `${base}s`;
    if (unit !== expected) return fail(`says ${value} ${unit}: AWS wants rate(${value} ${expected})`);
    const minutes = value * { minute: 1, hour: 60, day: 1440 }[base];
    return { ok: true, value: { kind: "rate", expression: expression.trim(), value, unit: base, minutes } };
}

/** A job's schedule: `cron(...)` or `rate(...)`. */
export function parseSchedule(expression: string): Parsed<Schedule> {
    const trimmed = expression.trim();
    if (trimmed.startsWith("cron(")) return parseCron(trimmed);
    if (trimmed.startsWith("rate(")) return parseRate(trimmed);
    return fail("is neither cron(...) nor rate(...)");
}

/** Whether `zone` is an IANA time zone this runtime knows (AWS takes IANA names). */
export function isTimeZone(zone: string): boolean {
    return zone === "UTC" || (Intl.supportedValuesOf("timeZone") as readonly string[]).includes(zone);
}

// ---------------------------------------------------------------------------------------------
// Evaluation: wall-clock days in the schedule's zone.

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 (Sunday) to 7 (Saturday), as AWS numbers them. */
const weekdayOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
const isWeekday = (year: number, month: number, day: number) => ![1, 7].includes(weekdayOf(year, month, day));

function nearestWeekdayTo(year: number, month: number, day: number): number {
    const length = daysInMonth(year, month);
    const target = Math.min(day, length);
    const weekday = weekdayOf(year, month, target);
    if (weekday === 7) return target === 1 ? target + 2 : target - 1; // Saturday: Friday, or Monday when the 1st
    if (weekday === 1) return target === length ? target - 2 : target + 1; // Sunday: Monday, or Friday when the last
    return target;
}

/** Whether the cron runs on this day (its zone's calendar). */
export function runsOnDay(cron: Cron, year: number, month: number, day: number): boolean {
    if (!cron.years.has(year) || !cron.months.has(month)) return false;
    const length = daysInMonth(year, month);
    const dom = cron.dayOfMonth;
    if (dom) {
        if (dom.days.has(day) || (dom.last && day === length)) return true;
        if (dom.nearestWeekday.some((n) => n <= length && nearestWeekdayTo(year, month, n) === day)) return true;
        if (dom.lastWeekday) {
            let lastWeekday = length;
            while (!isWeekday(year, month, lastWeekday)) lastWeekday--;
            if (day === lastWeekday) return true;
        }
        return false;
    }
    const dow = cron.dayOfWeek!;
    const weekday = weekdayOf(year, month, day);
    if (dow.days.has(weekday)) return true;
    if (dow.last.includes(weekday) && day + 7 > length) return true;
    return dow.nth.some(([d, k]) => d === weekday && Math.ceil(day / 7) === k);
}

interface WallClock {
    readonly year: number;
    readonly month: number;
    readonly day: number;
    readonly hour: number;
    readonly minute: number;
}

function wallClock(instant: Date, zone: string): WallClock {
    const parts = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
    }).formatToParts(instant);
    const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    return { year: part("year"), month: part("month"), day: part("day"), hour: part("hour"), minute: part("minute") };
}

/** Minutes the zone is ahead of UTC at `instant`. */
function offsetMinutes(instant: Date, zone: string): number {
    const w = wallClock(instant, zone);
    return (Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(instant.getTime() / 60000) * 60000) / 60000;
}

/** The instant a wall-clock time in `zone` happens (the later offset across a daylight-saving change). */
function instantOf(w: WallClock, zone: string): Date {
    const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
    const first = guess - offsetMinutes(new Date(guess), zone) * 60000;
    return new Date(guess - offsetMinutes(new Date(first), zone) * 60000);
}

/**
 * The next `count` runs of a cron after `from`, in its time zone (UTC by default), within the next
 * `years` years; fewer when the year field ends sooner.
 */
export function nextCronRuns(cron: Cron, from: Date, count: number, zone = "UTC", years = 5): Date[] {
    const start = wallClock(from, zone);
    const runs: Date[] = [];
    const day = new Date(Date.UTC(start.year, start.month - 1, start.day));
    const end = Date.UTC(start.year + years, start.month - 1, start.day);
    for (; day.getTime() < end && runs.length < count; day.setUTCDate(day.getUTCDate() + 1)) {
        const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
        if (!runsOnDay(cron, y, m, d)) continue;
        const today = y === start.year && m === start.month && d === start.day;
        for (const hour of cron.hours) {
            for (const minute of cron.minutes) {
                if (today && (hour < start.hour || (hour === start.hour && minute <= start.minute))) continue;
                runs.push(instantOf({ year: y, month: m, day: d, hour, minute }, zone));
                if (runs.length === count) return runs;
            }
        }
    }
    return runs;
}

/** The year whose runs are counted: 2025 (a common year) unless the year field leaves it out. */
export const referenceYear = 2025;
const minutesPerYear = 365 * 24 * 60;

function countedYear(cron: Cron): number {
    if (cron.years.has(referenceYear)) return referenceYear;
    const sorted = [...cron.years].sort((a, b) => a - b);
    return sorted.find((y) => y > referenceYear) ?? sorted[sorted.length - 1];
}

/**
 * Each run of a cron in one year, as minutes from the start of that year (its zone's wall clock):
 * the reference year, or the first year the year field allows after it.
 */
export function cronRunsInYear(cron: Cron): number[] {
    const year = countedYear(cron);
    const runs: number[] = [];
    for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= daysInMonth(year, month); day++) {
            if (!runsOnDay(cron, year, month, day)) continue;
            const dayStart = (Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 60000;
            for (const hour of cron.hours) for (const minute of cron.minutes) runs.push(dayStart + hour * 60 + minute);
        }
    }
    return runs;
}

/** Runs in a year: a cron's in the year it counts; a rate's over 365 days. */
export function runsPerYear(schedule: Schedule): number {
    return schedule.kind === "rate" ? minutesPerYear / schedule.minutes : cronRunsInYear(schedule).length;
}

/** One scheduled change of the scaling bounds. */
export interface BoundsChange {
    readonly cron: Cron;
    readonly min: number;
    /** The zone's offset from UTC in minutes, on the reference year's first day (daylight saving is not followed). */
    readonly offsetMinutes: number;
}

/** The zone's offset from UTC at the start of the year whose runs are counted. */
export function referenceOffsetMinutes(zone: string | undefined): number {
    return zone === undefined ? 0 : offsetMinutes(new Date(Date.UTC(referenceYear, 0, 1)), zone);
}

/**
 * The lowest task count the scheduled actions leave in force, on average over the counted year
 * (time-weighted): each action's min holds until the next action, and the year wraps around (the
 * last action of the year holds into its start). `undefined` when no action runs in the year.
 */
export function averageScheduledMin(changes: readonly BoundsChange[]): number | undefined {
    const events = changes
        .flatMap((change) =>
            cronRunsInYear(change.cron).map((at) => ({
                at: (((at - change.offsetMinutes) % minutesPerYear) + minutesPerYear) % minutesPerYear,
                min: change.min,
            })),
        )
        .sort((a, b) => a.at - b.at);
    if (events.length === 0) return undefined;
    let weighted = 0;
    events.forEach((event, i) => {
        const next = i + 1 < events.length ? events[i + 1].at : events[0].at + minutesPerYear;
        weighted += event.min * (next - event.at);
    });
    return weighted / minutesPerYear;
}

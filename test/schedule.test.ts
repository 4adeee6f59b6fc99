/**
 * AWS cron and rate expressions, offline (model/schedule.ts): what parses and what is refused with
 * which words, the next runs in a time zone (daylight saving included), runs per year, and the
 * time-weighted minimum that scheduled scaling leaves in force.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    averageScheduledMin,
    Cron,
    isTimeZone,
    nextCronRuns,
    parseCron,
    parseRate,
    parseSchedule,
    referenceOffsetMinutes,
    runsPerYear,
} from "../model/schedule";

function cron(expression: string): Cron {
    const parsed = parseCron(expression);
    if (!parsed.ok) assert.fail(`${expression}: ${parsed.problem}`);
    return parsed.value;
}

describe("cron expressions", () => {
    const refused: [string, string][] = [
        ["0 8 * * ? *", "is not a cron expression"],
        ["cron(0 8 * * ?)", "has 5 fields; AWS cron has six: minutes hours day-of-month month day-of-week year"],
        [
            "cron(0 8 * * MON-FRI *)",
            "sets both day-of-month and day-of-week: AWS needs ? in one of them (e.g. ? for day-of-month with MON-FRI)",
        ],
        ["cron(0 8 ? * ? *)", "has ? in both day-of-month and day-of-week: exactly one of them must be ?"],
        ["cron(60 8 * * ? *)", "has 60 in the minutes field, outside 0-59"],
        ["cron(0 24 * * ? *)", "has 24 in the hours field, outside 0-23"],
        ["cron(0 8 32 * ? *)", "has 32 in the day-of-month field, outside 1-31"],
        ["cron(0 8 ? JANUARY MON *)", 'has "JANUARY" in the month field, which takes 1-12 or JAN-DEC'],
        ["cron(0 8 ? * MON-FRX *)", 'has "FRX" in the day-of-week field, which takes 1-7 or SUN-SAT'],
        ["cron(0 8 ? * FRI-MON *)", "has the range FRI-MON in the day-of-week field, which runs backwards"],
        ["cron(*/0 8 * * ? *)", 'has the step "/0" in the minutes field, which must be a positive whole number'],
        ["cron(0 8 ? * MON#6 *)", 'has "MON#6" in the day-of-week field: the week after # must be 1-5'],
        ["cron(0 8 * * ? 1969)", "has 1969 in the year field, outside 1970-2199"],
        ["cron(0 8 1-- * ? *)", 'has "1--" in the day-of-month field, which is not a value, range or step'],
    ];
    for (const [expression, problem] of refused) {
        it(`refuses ${expression}`, () => assert.deepEqual(parseCron(expression), { ok: false, problem }));
    }

    it("runs per year: weekdays, every 15 minutes, last day, nearest weekday, nth and last weekday", () => {
        const table: [string, number][] = [
            ["cron(0 8 ? * MON-FRI *)", 261], // 2025 has 261 weekdays
            ["cron(0/15 * * * ? *)", 365 * 96],
            ["cron(0 8,18 * * ? *)", 730],
            ["cron(0 3 L * ? *)", 12],
            ["cron(0 3 15W * ? *)", 12],
            ["cron(0 3 LW * ? *)", 12],
            ["cron(0 9 ? * 2#1 *)", 12],
            ["cron(0 9 ? * 6L *)", 12],
            ["cron(0 0 1 JAN ? 2030)", 1],
            ["cron(0 0 29 FEB ? *)", 0], // 2025 is a common year
        ];
        for (const [expression, runs] of table) assert.equal(runsPerYear(cron(expression)), runs, expression);
    });

    it("next runs in a time zone follow its daylight saving", () => {
        // Berlin is UTC+1 in winter and UTC+2 from the last Sunday of March (2026-03-29).
        const runs = nextCronRuns(cron("cron(0 8 ? * MON-FRI *)"), new Date("2026-03-26T12:00:00Z"), 3, "Europe/Berlin");
        assert.deepEqual(
            runs.map((d) => d.toISOString()),
            ["2026-03-27T07:00:00.000Z", "2026-03-30T06:00:00.000Z", "2026-03-31T06:00:00.000Z"],
        );
    });

    it("next runs in UTC start after the given minute, not at it", () => {
        const runs = nextCronRuns(cron("cron(0/30 * * * ? *)"), new Date("2026-12-01T10:30:00Z"), 2);
        assert.deepEqual(
            runs.map((d) => d.toISOString()),
            ["2026-12-01T11:00:00.000Z", "2026-12-01T11:30:00.000Z"],
        );
    });

    it("the n-th and last weekday of a month, and the weekday nearest a day", () => {
        const at = new Date("2026-01-01T00:00:00Z");
        assert.equal(nextCronRuns(cron("cron(0 9 ? * 2#1 *)"), at, 1)[0].toISOString(), "2026-01-05T09:00:00.000Z"); // first Monday
        assert.equal(nextCronRuns(cron("cron(0 9 ? * 6L *)"), at, 1)[0].toISOString(), "2026-01-30T09:00:00.000Z"); // last Friday
        // 2026-02-15 is a Sunday: the nearest weekday is Monday the 16th.
        assert.equal(nextCronRuns(cron("cron(0 9 15W 2 ? *)"), at, 1)[0].toISOString(), "2026-02-16T09:00:00.000Z");
        // 2026-05-31 is a Sunday: the last weekday of May is Friday the 29th.
        assert.equal(nextCronRuns(cron("cron(0 9 LW 5 ? *)"), at, 1)[0].toISOString(), "2026-05-29T09:00:00.000Z");
    });
});

describe("rate expressions", () => {
    const table: [string, { ok: true; minutes: number } | { ok: false; problem: string }][] = [
        ["rate(1 minute)", { ok: true, minutes: 1 }],
        ["rate(15 minutes)", { ok: true, minutes: 15 }],
        ["rate(1 hour)", { ok: true, minutes: 60 }],
        ["rate(2 days)", { ok: true, minutes: 2880 }],
        ["rate(1 hours)", { ok: false, problem: "says 1 hours: AWS wants rate(1 hour)" }],
        ["rate(5 minute)", { ok: false, problem: "says 5 minute: AWS wants rate(5 minutes)" }],
        ["rate(0 minutes)", { ok: false, problem: "has the value 0, which must be a positive whole number" }],
        ["rate(1.5 hours)", { ok: false, problem: "has the value 1.5, which must be a positive whole number" }],
        ["rate(2 weeks)", { ok: false, problem: "has the unit weeks; use minute(s), hour(s) or day(s)" }],
        ["rate(5minutes)", { ok: false, problem: "is not a rate expression, rate(<value> <unit>)" }],
    ];
    for (const [expression, expected] of table) {
        it(expression, () => {
            const parsed = parseRate(expression);
            if (expected.ok) {
                assert.ok(parsed.ok);
                assert.equal(parsed.value.minutes, expected.minutes);
            } else {
                assert.deepEqual(parsed, expected);
            }
        });
    }

    it("runs per year of a rate count 365 days", () => {
        const parsed = parseSchedule("rate(15 minutes)");
        assert.ok(parsed.ok);
        assert.equal(runsPerYear(parsed.value), 35040);
    });

    it("a schedule is cron or rate", () => {
        assert.deepEqual(parseSchedule("daily"), { ok: false, problem: "is neither cron(...) nor rate(...)" });
    });
});

describe("time zones and scheduled minimums", () => {
    it("knows IANA zones and UTC, not misspellings", () => {
        assert.equal(isTimeZone("Europe/Berlin"), true);
        assert.equal(isTimeZone("UTC"), true);
        assert.equal(isTimeZone("Europe/Berlinn"), false);
    });

    it("weights each scheduled minimum by the hours it holds", () => {
        // 6 tasks from 08:00 to 18:00 on the 261 weekdays of 2025, 2 the rest of the time.
        const changes = [
            { cron: cron("cron(0 8 ? * MON-FRI *)"), min: 6, offsetMinutes: 0 },
            { cron: cron("cron(0 18 ? * MON-FRI *)"), min: 2, offsetMinutes: 0 },
        ];
        const hours = 365 * 24;
        assert.equal(averageScheduledMin(changes), (6 * 261 * 10 + 2 * (hours - 261 * 10)) / hours);
        assert.equal(referenceOffsetMinutes("Europe/Berlin"), 60);
        assert.equal(averageScheduledMin([{ cron: cron("cron(0 0 29 FEB ? *)"), min: 9, offsetMinutes: 0 }]), undefined);
    });
});

#!/usr/bin/env python3
"""The figures `tbdash watch --headless --json --window W` prints, computed straight from a
CSV without any of tbdash's code: a streaming oracle (standard library only) for bench/full-size.

Reads the seed's CSV (11 columns with a header, an optional `timestamp` column of Unix s or
ms) or Taobao's UserBehavior.csv (`user_id,item_id,category_id,behavior,timestamp`, no
header, Unix seconds) and computes, per window (5m, 1h, today, all), the exact figures:
events, late, per-action, age, gender, province and per-day counts, distinct users (all, per
action, per day; for `all` also per province, age and gender), the funnel, the rankings of
items, categories, brands and merchants by events, `vs_yesterday`, and for the stream
`hourly`, `cumulative_uv`, `top_categories_by_buys`, the decayed `hot` scores and repeat
buyers.

What it assumes about the run (bench/full-size starts tbdash so):
- `tbdash produce` without --event-time: records go out in file order, keyed by user_id as
  decimal text, to partition (murmur2(key) & 0x7fffffff) % P (librdkafka's murmur2_random,
  Kafka's Java partitioner, which tbdash configures); order within a partition is kept.
- Lateness per partition (SPEC §3): an event is late when its time is earlier than the
  partition's max event time so far − the out-of-orderness.
- The global watermark at the end is min over partitions (max event time − out-of-orderness):
  `watch --idle-timeout` longer than the run, so no partition is ever idle and the watermark
  is a function of the data, not of processing time.
- Event time: a row's timestamp, else the start of (year, month, day) in UTC+8
  (Asia/Shanghai, tbdash's default zone: no daylight saving since 1991).
- Windows (doc/analytics.md "Windows…"): 5m and 1h are the minutes up to and including the
  watermark's; today is the watermark's local day up to the end of its ten-minute bin. The
  rings hold 120 minutes and `--hold` ten-minute bins before them, relative to the newest
  minute: a window is complete when they hold its start and its end, and then it counts
  exactly the events in [from, to); the oracle says which windows are complete.

    bench/oracle.py rows.csv --format seed --partitions 64 > oracle.json
"""
import argparse
import csv
import json
import sys

MINUTE = 60_000
TEN = 600_000
HOUR = 3_600_000
DAY = 86_400_000
UTC_OFFSET_MS = 8 * HOUR
MINUTE_BINS = 120
ACTIONS = 4
PURCHASE = 2
# Action codes: click 0, cart 1, purchase 2, favourite 3 (UserBehavior's pv, cart, buy, fav).
BEHAVIOR = {"pv": 0, "cart": 1, "buy": 2, "fav": 3}
ENTITIES = ("item", "cat", "brand", "merchant")


def murmur2(data):
    """Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as librdkafka's rd_murmur2."""
    m, mask = 0x5BD1E995, 0xFFFFFFFF
    length = len(data)
    h = (0x9747B28C ^ length) & mask
    for i in range(0, length - length % 4, 4):
        k = data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24
        k = (k * m) & mask
        k ^= k >> 24
        k = (k * m) & mask
        h = ((h * m) & mask) ^ k
    tail, rest = length & ~3, length % 4
    if rest == 3:
        h ^= data[tail + 2] << 16
    if rest >= 2:
        h ^= data[tail + 1] << 8
    if rest >= 1:
        h ^= data[tail]
        h = (h * m) & mask
    h ^= h >> 13
    h = (h * m) & mask
    h ^= h >> 15
    return h


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def local_day_start(ms):
    return (ms + UTC_OFFSET_MS) // DAY * DAY - UTC_OFFSET_MS


_day_keys = {}


def day_key(ms):
    """`2026-11-11`: the local day, as the JSON's keys."""
    days = (ms + UTC_OFFSET_MS) // DAY
    key = _day_keys.get(days)
    if key is None:
        y, m, d = civil_from_days(days)
        key = _day_keys[days] = f"{y:04d}-{m:02d}-{d:02d}"
    return key


class Row:
    __slots__ = ("user", "item", "cat", "merchant", "brand", "action", "age", "gender", "province", "ts")


def read_rows(path, shape, year):
    """Yields Rows. Seed: brand `2661.0` or empty (absent); UserBehavior: age 0, gender 2,
    province `unknown`, no merchant or brand."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        if shape == "userbehavior":
            for user, item, cat, behavior, ts in reader:
                r = Row()
                r.user, r.item, r.cat, r.merchant, r.brand = int(user), int(item), int(cat), None, None
                r.action, r.age, r.gender, r.province = BEHAVIOR[behavior.lower()], 0, 2, "unknown"
                t = int(ts)
                r.ts = t * 1000 if t < 10**11 else t
                yield r
            return
        header = next(reader)
        col = {name.strip().lstrip("\ufeff"): i for i, name in enumerate(header)}
        iu, ii, ic, im, ib = col["user_id"], col["item_id"], col["cat_id"], col["merchant_id"], col["brand_id"]
        imo, ida, ia, iag, ig, ip = col["month"], col["day"], col["action"], col["age_range"], col["gender"], col["province"]
        its = col.get("timestamp")
        starts = {}
        for cells in reader:
            r = Row()
            r.user, r.item, r.cat, r.merchant = int(cells[iu]), int(cells[ii]), int(cells[ic]), int(cells[im])
            brand = cells[ib].strip()
            r.brand = int(float(brand)) if brand else None
            r.action, r.age, r.gender, r.province = int(cells[ia]), int(cells[iag]), int(cells[ig]), cells[ip]
            if its is not None:
                t = int(cells[its])
                r.ts = t * 1000 if t < 10**11 else t
            else:
                md = (int(cells[imo]), int(cells[ida]))
                if md not in starts:
                    starts[md] = days_from_civil(year, md[0], md[1]) * DAY - UTC_OFFSET_MS
                r.ts = starts[md]
            yield r


class Tally:
    """Exact figures over a set of events: counts, distinct users, rankings."""

    def __init__(self, dimensions=False, rankings=True):
        self.late = 0
        # (action, age, gender, province, day) -> events: every count is a sum of these.
        self.cells = {}
        self.users = set()
        self.users_by_action = [set() for _ in range(ACTIONS)]
        self.users_by_day = {}
        self.dimensions = dimensions
        if dimensions:
            self.users_by_age, self.users_by_gender, self.users_by_province = {}, {}, {}
        self.rankings = rankings
        # entity -> id -> [count per action]
        self.ids = {e: {} for e in ENTITIES} if rankings else None

    def add(self, r, late, day):
        self.late += late
        a = r.action
        cell = (a, r.age, r.gender, r.province, day)
        self.cells[cell] = self.cells.get(cell, 0) + 1
        self.users.add(r.user)
        self.users_by_action[a].add(r.user)
        self.users_by_day.setdefault(day, set()).add(r.user)
        if self.dimensions:
            self.users_by_age.setdefault(r.age, set()).add(r.user)
            self.users_by_gender.setdefault(r.gender, set()).add(r.user)
            self.users_by_province.setdefault(r.province, set()).add(r.user)
        if self.rankings:
            for entity, value in (("item", r.item), ("cat", r.cat), ("brand", r.brand), ("merchant", r.merchant)):
                if value is None:
                    continue
                counts = self.ids[entity].get(value)
                if counts is None:
                    counts = self.ids[entity][value] = [0] * ACTIONS
                counts[a] += 1

    def result(self):
        def by(index, key=str):
            out = {}
            for cell, n in self.cells.items():
                out[key(cell[index])] = out.get(key(cell[index]), 0) + n
            return out

        actions = by(0, int)
        out = {
            "events": sum(self.cells.values()), "late": self.late,
            "action": {str(a): n for a, n in sorted(actions.items())},
            "age_range": by(1), "gender": by(2), "province": by(3), "per_day": by(4),
            "uv": {
                "all": len(self.users),
                "action": {str(a): len(s) for a, s in enumerate(self.users_by_action) if s},
                "per_day": {d: len(s) for d, s in self.users_by_day.items()},
            },
            "funnel": {name: len(self.users_by_action[a]) for a, name in enumerate(("click", "cart", "purchase", "favourite"))},
            "purchases": actions.get(PURCHASE, 0), "clicks": actions.get(0, 0),
        }
        if self.dimensions:
            out["uv"]["age_range"] = {str(k): len(s) for k, s in self.users_by_age.items()}
            out["uv"]["gender"] = {str(k): len(s) for k, s in self.users_by_gender.items()}
            out["uv"]["province"] = {k: len(s) for k, s in self.users_by_province.items()}
        if self.rankings:
            # Every id's events, as {id: events}; the comparison looks shown ids up.
            out["ids"] = {e: {str(i): sum(c) for i, c in ids.items()} for e, ids in self.ids.items()}
            out["buys_by_cat"] = {str(i): c[PURCHASE] for i, c in self.ids["cat"].items() if c[PURCHASE]}
        return out


def window_spans(watermark, newest_minute, hold_bins, sub_day=True):
    """[from, to) of each window but `all`, and whether the rings hold its start. On a
    stream of days only (every event at its day's start), 5m and 1h answer nothing."""
    held_from = (newest_minute // 10 - hold_bins + 1) * TEN
    ring_start = (newest_minute - MINUTE_BINS + 1) * MINUTE

    def holds(start, end=None):
        """The bins inside [start, end) hold all of its events: minute bins that start in
        it and ten-minute bins wholly in it, so a partial ten-minute bin at either end must
        lie in the minute ring."""
        whole = start >= held_from and (start % TEN == 0 or start >= ring_start)
        return whole and (end is None or end % TEN == 0 or max(start, end // TEN * TEN) >= ring_start)

    end_of_minute = (watermark // MINUTE + 1) * MINUTE
    spans = {
        "5m": (end_of_minute - 5 * MINUTE, end_of_minute),
        "1h": (end_of_minute - 60 * MINUTE, end_of_minute),
        "today": (local_day_start(watermark), (watermark // TEN + 1) * TEN),
    }
    # Today against yesterday compares the ten-minute bins the watermark has passed (the
    # last edge e with watermark >= e - 1): for today, the day up to there; for 5m and 1h,
    # the window's length rounded up to ten minutes, ending there; and 24 h earlier.
    passed = (watermark + 1) // TEN * TEN
    out = {}
    for name, (start, end) in spans.items():
        day_resolution = name in ("5m", "1h") and not sub_day
        if name == "today":
            wide = (start, max(start, passed))
        else:
            wide = (passed - -(-(end - start) // TEN) * TEN, passed)
        yesterday = (wide[0] - DAY, wide[1] - DAY)
        out[name] = {"from": start, "to": end, "complete": day_resolution or holds(start, end),
                     "day_resolution": day_resolution, "compare": wide,
                     "yesterday": yesterday if holds(yesterday[0]) and not day_resolution else None}
    return out, held_from


def compute(path, shape, partitions, year=2026, bound_ms=300_000, hold_bins=288, half_life_ms=1_800_000,
            hot_weights=(1, 2, 3, 4), progress=None):
    """Two passes over the file: the first simulates the partitions (lateness, watermark) and
    counts the whole stream; the second, knowing the watermark, the windows."""
    partition_of = {}
    max_by_partition = [None] * partitions
    late_flags = bytearray()
    everything = Tally(dimensions=True)
    hourly = {}
    # Repeat buyers: (user, merchant) -> first purchase day, or True once a second day is seen.
    pairs = {}
    newest = None
    sub_day = False
    for n, r in enumerate(read_rows(path, shape, year)):
        p = partition_of.get(r.user)
        if p is None:
            p = partition_of[r.user] = (murmur2(str(r.user).encode()) & 0x7FFFFFFF) % partitions
        high = max_by_partition[p]
        late = high is not None and r.ts < high - bound_ms
        if high is None or r.ts > high:
            max_by_partition[p] = r.ts
        late_flags.append(late)
        if newest is None or r.ts > newest:
            newest = r.ts
        day = day_key(r.ts)
        sub_day = sub_day or r.ts != local_day_start(r.ts)
        everything.add(r, late, day)
        hour = (day, (r.ts - local_day_start(r.ts)) // HOUR)
        h = hourly.get(hour)
        if h is None:
            h = hourly[hour] = [0, 0]
        h[0] += 1
        h[1] += r.action == PURCHASE
        if r.action == PURCHASE and r.merchant is not None:
            key = (r.user, r.merchant)
            first = pairs.get(key)
            if first is None:
                pairs[key] = day
            elif first is not True and first != day:
                pairs[key] = True
        if progress and n % 1_000_000 == 0 and n:
            progress(f"oracle: {n:,} rows read")
    if newest is None:
        sys.exit("bench/oracle.py: no rows")
    watermark = min(m for m in max_by_partition if m is not None) - bound_ms
    newest_minute = newest // MINUTE
    spans, held_from = window_spans(watermark, newest_minute, hold_bins, sub_day)

    # Second pass: the windows, yesterday's spans, and the held days' cumulative users.
    windows = {name: Tally() for name in spans}
    compared = {}
    for name, s in spans.items():
        compared[(name, "today")] = s["compare"]
        if s["yesterday"]:
            compared[(name, "yesterday")] = s["yesterday"]
    kpis = {key: [0, 0, set(), set(), 0] for key in compared}  # events, purchases, users, buyers, late
    first_bin = {}  # (local day start, user) -> earliest ten-minute bin (start ms) held
    held_bins = set()  # the ten-minute bins (start ms) holding events
    lowest = min([s["from"] for s in spans.values()] + [a for a, _ in compared.values()] + [held_from])
    # Hot: per item, Σ weight · 2^((t − watermark) / half-life) (old events underflow to 0).
    # --hot-weights are click, favourite, cart, purchase; the codes click 0, cart 1,
    # purchase 2, favourite 3.
    weight = (hot_weights[0], hot_weights[2], hot_weights[3], hot_weights[1])
    heat = {}
    for n, r in enumerate(read_rows(path, shape, year)):
        t = r.ts
        heat[r.item] = heat.get(r.item, 0.0) + weight[r.action] * 2.0 ** ((t - watermark) / half_life_ms)
        if t < lowest:
            continue
        late = late_flags[n]
        for name, s in spans.items():
            if s["from"] <= t < s["to"]:
                windows[name].add(r, late, day_key(t))
        for key, (a, b) in compared.items():
            if a <= t < b:
                k = kpis[key]
                k[0] += 1
                k[4] += late
                k[2].add(r.user)
                if r.action == PURCHASE:
                    k[1] += 1
                    k[3].add(r.user)
        if t >= held_from:
            key = (local_day_start(t), r.user)
            b = t // TEN * TEN
            held_bins.add(b)
            if first_bin.get(key, b + 1) > b:
                first_bin[key] = b

    # Cumulative users: one row per ten-minute bin from the first held bin with events to the
    # last, each counting a day's users from its start (or the held start) through the bin.
    new_by_bin = {}
    for b in first_bin.values():
        new_by_bin[b] = new_by_bin.get(b, 0) + 1
    cumulative = []
    if held_bins:
        running, day = 0, None
        for b in range(min(held_bins), max(held_bins) + TEN, TEN):
            start = local_day_start(b)
            if start != day:
                day, running = start, 0
            running += new_by_bin.get(b, 0)
            minutes = (b + TEN - start) // MINUTE
            cumulative.append({"day": day_key(b), "time": f"{minutes // 60:02d}:{minutes % 60:02d}",
                               "uv": running, "complete": start >= held_from})

    repeat = len({u for (u, _), v in pairs.items() if v is True})
    hot = {str(i): s for i, s in heat.items()}
    result = {
        "rows": len(late_flags),
        "partitions_with_events": sum(m is not None for m in max_by_partition),
        "watermark_ms": watermark,
        "watermark": iso_local(watermark),
        "newest_minute": newest_minute,
        "held_from_ms": held_from,
        "windows": {"all": everything.result()},
        "hourly": [{"day": d, "hour": h, "events": e, "buys": b} for (d, h), (e, b) in sorted(hourly.items())],
        "cumulative_uv": cumulative,
        "repeat_buyers": repeat,
        "hot": hot,
    }
    result["windows"]["all"]["window"] = {"name": "all", "complete": True}
    result["windows"]["all"]["vs_yesterday"] = None
    for name, s in spans.items():
        w = windows[name].result()
        w["window"] = {"name": name, "from": s["from"], "to": s["to"], "complete": s["complete"],
                       "day_resolution": s["day_resolution"]}
        if s["yesterday"]:
            def kpi(key):
                e, p, u, b, late = kpis[key]
                return {"events": e, "purchases": p, "users": len(u), "buyers": len(b), "late": late}
            now, then = kpi((name, "today")), kpi((name, "yesterday"))
            w["vs_yesterday"] = {k: {"now": now[k], "yesterday": then[k]} for k in now}
            w["vs_yesterday"].update(**{"from": s["compare"][0], "to": s["compare"][1]})
        else:
            w["vs_yesterday"] = None
        result["windows"][name] = w
    return result


def iso_local(ms):
    """`2026-11-11T23:55:00.000+08:00`: the watermark as tbdash's JSON writes it."""
    local = ms + UTC_OFFSET_MS
    y, m, d = civil_from_days(local // DAY)
    rest = local % DAY
    return (f"{y:04d}-{m:02d}-{d:02d}T{rest // HOUR:02d}:{rest % HOUR // MINUTE:02d}:"
            f"{rest % MINUTE // 1000:02d}.{rest % 1000:03d}+08:00")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("--format", choices=("seed", "userbehavior"), required=True)
    ap.add_argument("--partitions", type=int, required=True, help="the topic's partition count")
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--out-of-orderness-ms", type=int, default=300_000)
    ap.add_argument("--hold-bins", type=int, default=288)
    args = ap.parse_args()
    result = compute(args.file, args.format, args.partitions, args.year, args.out_of_orderness_ms, args.hold_bins,
                     progress=lambda s: print(s, file=sys.stderr))
    json.dump(result, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()

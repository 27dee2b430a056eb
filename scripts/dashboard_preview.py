#!/usr/bin/env python3
"""Static preview of the Grafana dashboard dashboards/batcher-grafana.json, filled with real data.

Not a Grafana screenshot: this draws the dashboard's own layout (gridPos, titles, units, legends, overrides, stat
mappings and thresholds) with matplotlib, and fills every panel by running the dashboard's own PromQL expressions
against a real Prometheus that scraped the running sample app. scripts/dashboard-preview.sh runs the whole thing;
this file has its two steps:

  dashboard_preview.py load   --app http://localhost:8080 --seconds 150 [--user operator --password operator]
  dashboard_preview.py render --prometheus http://localhost:9090 --dashboard dashboards/batcher-grafana.json \
                              --start <unix s> --end <unix s> --out docs/dashboard.png

Only the Python standard library and matplotlib (Debian: python3-matplotlib) are needed.
"""

import argparse
import base64
import datetime
import json
import math
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

# ---------------------------------------------------------------------------------------------------------------
# load: drive the sample app through phases that move every panel
# ---------------------------------------------------------------------------------------------------------------


def post(url, body, headers=None, timeout=10):
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def operator(app, action, user, password):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    status = post(f"{app}/actuator/batchers/events", json.dumps({"action": action}),
                  {"Authorization": f"Basic {token}"})
    print(f"  {time.strftime('%H:%M:%S')} operator {action}: HTTP {status}", flush=True)
    if status not in (200, 204):
        sys.exit(f"The operator's {action} was refused (HTTP {status}): check --user/--password")


def load(args):
    """Clients post arrays of events at a paced rate; the operator pauses the dispatcher for a while, so that the
    buffer fills to its limit, producers block and, past block-timeout, events are refused (dropped, buffer-full);
    then resumes, and the backlog drains in full batches."""
    total = args.seconds
    pause_at, resume_at = total * 0.35, total * 0.55
    busy_from, busy_to = total * 0.70, total * 0.82
    stop_load_at = total * 0.88
    start = time.monotonic()
    counts = {"202": 0, "503": 0, "other": 0}
    lock = threading.Lock()

    def client(number):
        i = 0
        while True:
            now = time.monotonic() - start
            if now >= stop_load_at:
                return
            size = 40 if busy_from <= now < busy_to else 20
            events = ",".join(json.dumps({"type": "preview", "payload": f"c{number}-{i}-{k}"}) for k in range(size))
            try:
                status = post(f"{args.app}/events", f"[{events}]")
            except OSError:
                status = 0
            with lock:
                key = str(status) if str(status) in counts else "other"
                counts[key] += 1
            i += 1
            time.sleep(0.02)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    print(f"  {time.strftime('%H:%M:%S')} load: {args.clients} clients for {stop_load_at:.0f} s, pause at "
          f"{pause_at:.0f} s, resume at {resume_at:.0f} s, busier from {busy_from:.0f} s to {busy_to:.0f} s",
          flush=True)
    time.sleep(pause_at)
    operator(args.app, "pause", args.user, args.password)
    time.sleep(resume_at - pause_at)
    operator(args.app, "resume", args.user, args.password)
    for thread in threads:
        thread.join()
    time.sleep(max(0.0, total - (time.monotonic() - start)))
    print(f"  {time.strftime('%H:%M:%S')} load done: requests {counts}", flush=True)


# ---------------------------------------------------------------------------------------------------------------
# render: the dashboard's layout, each panel's queries run on Prometheus
# ---------------------------------------------------------------------------------------------------------------

BACKGROUND = "#111217"
PANEL = "#181b1f"
BORDER = "#2c3235"
TEXT = "#ccccdc"
MUTED = "#8e8e99"
# Grafana's classic palette and named colours.
PALETTE = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#705da0", "#37872d"]
NAMED = {"green": "#73bf69", "red": "#f2495c", "orange": "#ff9830", "yellow": "#fade2a", "blue": "#5794f2",
         "purple": "#b877d9", "text": TEXT}


def query_range(prometheus, expr, start, end, step):
    params = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": step})
    with urllib.request.urlopen(f"{prometheus}/api/v1/query_range?{params}", timeout=30) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"Prometheus refused {expr!r}: {body}")
    return body["data"]["result"]


def substitute(expr, variables):
    for name, value in sorted(variables.items(), key=lambda kv: -len(kv[0])):
        expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
    return expr


def legend(fmt, labels):
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), fmt or "") or str(labels)


def color(value):
    return NAMED.get(value, value)


def overrides_for(panel, series_name):
    properties = {}
    for override in panel.get("fieldConfig", {}).get("overrides", []):
        matcher = override["matcher"]
        if (matcher["id"] == "byName" and matcher["options"] == series_name) or (
                matcher["id"] == "byRegexp" and re.fullmatch(matcher["options"], series_name)):
            for prop in override["properties"]:
                properties[prop["id"]] = prop["value"]
    return properties


def format_value(value, unit, decimals=None):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "No data"
    if unit == "s":
        if value == 0:
            return "0 s"
        if abs(value) < 1e-3:
            return f"{value * 1e6:.0f} µs"
        if abs(value) < 1:
            return f"{value * 1e3:.{1 if value < 0.01 else 0}f} ms"
        return f"{value:.2f} s"
    if unit == "percentunit":
        return f"{value * 100:.{1 if decimals is None else decimals}f}%"
    for limit, suffix in ((1e9, " Bil"), (1e6, " Mil"), (1e3, " K")):
        if abs(value) >= limit:
            return f"{value / limit:.{1 if decimals is None else decimals}f}{suffix}"
    if decimals is not None:
        return f"{value:.{decimals}f}"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def axis_formatter(unit):
    from matplotlib.ticker import FuncFormatter
    return FuncFormatter(lambda v, _: format_value(v, unit) if v != 0 else "0")


def style_axes(ax):
    ax.set_facecolor(PANEL)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=MUTED, labelsize=7, length=0)
    ax.grid(True, color=BORDER, linewidth=0.6)


def draw_frame(fig, box, title):
    from matplotlib.patches import FancyBboxPatch
    x, y, w, h = box
    fig.patches.append(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.004",
                                      transform=fig.transFigure, facecolor=PANEL, edgecolor=BORDER,
                                      linewidth=0.8, zorder=-10))
    fig.text(x + 0.006, y + h - 0.012, title, color=TEXT, fontsize=9, fontweight="bold", va="top", ha="left")


def draw_timeseries(fig, box, panel, results, start, end):
    import matplotlib.dates as mdates
    x, y, w, h = box
    draw_frame(fig, box, panel["title"])
    defaults = panel.get("fieldConfig", {}).get("defaults", {})
    unit = defaults.get("unit", "short")
    has_right = any(overrides_for(panel, name).get("custom.axisPlacement") == "right"
                    for _, name, _ in results)
    legend_h = 0.035
    ax = fig.add_axes([x + 0.032, y + legend_h + 0.022, w - (0.066 if has_right else 0.04), h - legend_h - 0.062])
    style_axes(ax)
    right = None
    if has_right:
        right = ax.twinx()
        right.set_facecolor("none")
        for side in ("top", "right", "left", "bottom"):
            right.spines[side].set_visible(False)
        right.tick_params(colors=MUTED, labelsize=7, length=0)
    handles = []
    for index, (points, name, _) in enumerate(results):
        props = overrides_for(panel, name)
        target_ax = right if props.get("custom.axisPlacement") == "right" else ax
        line_color = color(props.get("color", {}).get("fixedColor")) if "color" in props else PALETTE[index % len(PALETTE)]
        dash = props.get("custom.lineStyle", {}).get("dash") if "custom.lineStyle" in props else None
        times = [datetime.datetime.fromtimestamp(t, datetime.timezone.utc) for t, _ in points]
        values = [v for _, v in points]
        line, = target_ax.plot(times, values, color=line_color, linewidth=1.2,
                               linestyle=(0, [d / 4 for d in dash]) if dash else "-", label=name)
        fill = props.get("custom.fillOpacity", defaults.get("custom", {}).get("fillOpacity", 0))
        if fill and target_ax is ax:
            ax.fill_between(times, values, color=line_color, alpha=fill / 100.0, linewidth=0)
        handles.append(line)
    ax.set_xlim(datetime.datetime.fromtimestamp(start, datetime.timezone.utc),
                datetime.datetime.fromtimestamp(end, datetime.timezone.utc))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M:%S", tz=datetime.timezone.utc))
    span = end - start
    tick = next((s for s in (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600) if span / s <= 6), 7200)
    if tick < 60:
        ax.xaxis.set_major_locator(mdates.SecondLocator(bysecond=range(0, 60, tick)))
    else:
        ax.xaxis.set_major_locator(mdates.MinuteLocator(byminute=range(0, 60, max(1, tick // 60) if tick < 3600 else 60)))
    ax.yaxis.set_major_formatter(axis_formatter(unit))
    if defaults.get("min") == 0:
        ax.set_ylim(bottom=0)
        if right is not None:
            right.set_ylim(bottom=0)
    label = defaults.get("custom", {}).get("axisLabel")
    if label:
        ax.set_ylabel(label, color=MUTED, fontsize=7)
    if right is not None:
        right.yaxis.set_major_formatter(axis_formatter(unit))
        right_names = [n for _, n, _ in results if overrides_for(panel, n).get("custom.axisPlacement") == "right"]
        right.set_ylabel(", ".join(right_names), color=MUTED, fontsize=7)
    if not results:
        ax.text(0.5, 0.5, "No data", transform=ax.transAxes, color=MUTED, ha="center", va="center", fontsize=10)
    if handles:
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(x + 0.004, y + 0.002), ncol=4,
                   frameon=False, fontsize=7, labelcolor=TEXT, handlelength=1.2, columnspacing=1.0)


def threshold_color(value, defaults):
    steps = defaults.get("thresholds", {}).get("steps", [])
    chosen = steps[0]["color"] if steps else "green"
    for step in steps[1:]:
        if value is not None and not math.isnan(value) and value >= step["value"]:
            chosen = step["color"]
    return color(chosen)


def draw_stat(fig, box, panel, results):
    from matplotlib.patches import FancyBboxPatch
    x, y, w, h = box
    defaults = panel.get("fieldConfig", {}).get("defaults", {})
    points = results[0][0] if results else []
    value = next((v for _, v in reversed(points) if not math.isnan(v)), None)
    background = threshold_color(value, defaults) if value is not None else PANEL
    fig.patches.append(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.004",
                                      transform=fig.transFigure, facecolor=background, edgecolor=BORDER,
                                      linewidth=0.8, zorder=-10))
    if len(points) > 1:
        ax = fig.add_axes([x, y, w, h * 0.45])
        ax.set_axis_off()
        values = [v for _, v in points]
        ax.fill_between(range(len(values)), values, color="white", alpha=0.18, linewidth=0)
        ax.set_xlim(0, len(values) - 1)
        low, high = min(values), max(values)
        ax.set_ylim(low, high + (high - low or 1) * 0.1)
    text = format_value(value, defaults.get("unit", "short"), defaults.get("decimals"))
    for mapping in defaults.get("mappings", []):
        if mapping.get("type") == "value" and value is not None:
            key = format(value, "g")
            if key in mapping["options"]:
                text = mapping["options"][key]["text"]
    fig.text(x + 0.006, y + h - 0.012, panel["title"], color="white", fontsize=9, fontweight="bold", va="top")
    fig.text(x + w / 2, y + h * 0.42, text, color="white", fontsize=20, fontweight="bold", ha="center",
             va="center")


def render(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(args.dashboard) as f:
        dashboard = json.load(f)
    step = max(1, int((args.end - args.start) / 300))
    variables = {"name": args.name, "__rate_interval": args.rate_interval, "DS_PROMETHEUS": "prometheus"}

    panels = dashboard["panels"]
    rows = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels)
    col_w, row_h, header_h, footer_h = 20 / 24, 0.42, 1.05, 0.35
    fig_w, fig_h = 20, header_h + rows * row_h + footer_h
    fig = plt.figure(figsize=(fig_w, fig_h), dpi=args.dpi, facecolor=BACKGROUND)

    def box(grid):
        gx, gy, gw, gh = grid["x"], grid["y"], grid["w"], grid["h"]
        pad = 0.05
        left = (gx * col_w + pad) / fig_w
        top = (header_h + gy * row_h + pad) / fig_h
        return left, 1 - top - (gh * row_h - 2 * pad) / fig_h, (gw * col_w - 2 * pad) / fig_w, (gh * row_h - 2 * pad) / fig_h

    start_text = datetime.datetime.fromtimestamp(args.start, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    end_text = datetime.datetime.fromtimestamp(args.end, datetime.timezone.utc).strftime("%H:%M:%S UTC")
    fig.text(0.006, 1 - 0.25 / fig_h, dashboard["title"], color=TEXT, fontsize=15, fontweight="bold", va="center")
    fig.text(0.08, 1 - 0.25 / fig_h, "Preview rendered from the sample app's metrics (not a Grafana screenshot): "
             "the layout of dashboards/batcher-grafana.json, each panel's own PromQL run on Prometheus",
             color="#ff9830", fontsize=10, va="center")
    fig.text(0.006, 1 - 0.62 / fig_h, f"Data source  [ Prometheus ]      Dispatcher  [ {args.name} ]      "
             f"{start_text} to {end_text}      $__rate_interval = {args.rate_interval}",
             color=MUTED, fontsize=9, va="center", family="monospace")

    for panel in panels:
        grid = panel["gridPos"]
        if panel["type"] == "row":
            left, bottom, width, height = box(grid)
            fig.text(left, bottom + height / 2, "⌄ " + substitute(panel["title"], variables), color=TEXT,
                     fontsize=11, fontweight="bold", va="center")
            continue
        results = []
        for target in panel.get("targets", []):
            expr = substitute(target["expr"], variables)
            for series in query_range(args.prometheus, expr, args.start, args.end, step):
                points = [(float(t), float(v)) for t, v in series["values"]]
                results.append((points, legend(target.get("legendFormat"), series["metric"]), expr))
        if panel["type"] == "stat":
            draw_stat(fig, box(grid), panel, results)
        else:
            draw_timeseries(fig, box(grid), panel, results, args.start, args.end)

    fig.text(0.006, 0.12 / fig_h, args.caption, color=MUTED, fontsize=8, va="center")
    fig.savefig(args.out, facecolor=BACKGROUND, dpi=args.dpi)
    print(f"  wrote {args.out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    load_args = commands.add_parser("load", help="drive the sample app through the preview's phases")
    load_args.add_argument("--app", required=True)
    load_args.add_argument("--seconds", type=float, default=150)
    load_args.add_argument("--clients", type=int, default=4)
    load_args.add_argument("--user", default="operator")
    load_args.add_argument("--password", default="operator")
    render_args = commands.add_parser("render", help="draw the dashboard with data from Prometheus")
    render_args.add_argument("--prometheus", required=True)
    render_args.add_argument("--dashboard", required=True)
    render_args.add_argument("--start", type=float, required=True)
    render_args.add_argument("--end", type=float, required=True)
    render_args.add_argument("--name", default="events")
    render_args.add_argument("--rate-interval", default="4s")
    render_args.add_argument("--out", required=True)
    render_args.add_argument("--dpi", type=int, default=100)
    render_args.add_argument("--caption", default="")
    args = parser.parse_args()
    if args.command == "load":
        load(args)
    else:
        render(args)


if __name__ == "__main__":
    main()

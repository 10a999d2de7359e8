//! Traces of every example on both targets: the same shape (lanes,
//! regions, barrier rounds) on the host mock and in the runtime, valid
//! Chrome trace-event JSON, and an SVG timeline (`grafos timeline`) that a
//! real renderer (resvg) draws with a row per lane, checked pixel by pixel.
//! Also `grafos run --profile` and the errors of `--trace` and `timeline`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use grafos::trace::{Trace, TraceSink, capture};
use grafos_examples::catalog::EXAMPLES;
use grafos_runtime::{RunOptions, Runtime, RuntimeConfig, TaskletModule};
use serde_json::Value;

const GRAFOS: &str = env!("CARGO_BIN_EXE_grafos");
const WORKERS: u32 = 4;

/// The examples built for wasm32 (where `grafos build` puts them).
fn module_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/Cargo.toml");
        grafos_build::build(&grafos_build::BuildOptions {
            manifest_path: Some(manifest),
            ..grafos_build::BuildOptions::default()
        })
        .unwrap_or_else(|e| panic!("building the examples for wasm32 failed: {e}"))
        .module
    })
}

fn module() -> TaskletModule {
    let runtime = Runtime::new(RuntimeConfig {
        threads: 1,
        ..RuntimeConfig::default()
    });
    runtime
        .load(&std::fs::read(module_path()).unwrap())
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("traces-{}", std::process::id()))
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn grafos(args: &[&str]) -> Output {
    Command::new(GRAFOS).args(args).output().unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Both traces of `example`'s launch on `input`.
fn traces(module: &TaskletModule, name: &str, input: &[u8]) -> (Trace, Trace) {
    let example = grafos_examples::catalog::find(name).unwrap();
    let host_sink = TraceSink::new();
    capture(&host_sink, || (example.run_host)(WORKERS as usize, input))
        .unwrap_or_else(|e| panic!("{name} on the host mock: {e}"));
    let wasm_sink = TraceSink::new();
    module
        .run(
            name,
            input,
            RunOptions {
                workers: Some(WORKERS),
                trace: Some(wasm_sink.clone()),
                ..RunOptions::default()
            },
        )
        .unwrap_or_else(|e| panic!("{name} in the runtime: {e}"));
    let mut host = host_sink.take();
    let mut wasm = wasm_sink.take();
    assert_eq!((host.len(), wasm.len()), (1, 1), "{name}: one trace each");
    (host.remove(0), wasm.remove(0))
}

/// Checks `json` against the trace-event format (the JSON object form):
/// every event's fields and their types, metadata naming every lane's
/// thread, and complete (`X`) events nesting on each thread. Returns the
/// lanes (threads) that have spans.
fn validate_trace_event_json(json: &str) -> Vec<u64> {
    let doc: Value = serde_json::from_str(json).expect("a trace is JSON");
    let events = doc["traceEvents"].as_array().expect("traceEvents array");
    assert!(!events.is_empty());
    if let Some(unit) = doc.get("displayTimeUnit") {
        assert!(unit == "ns" || unit == "ms", "displayTimeUnit {unit}");
    }
    let mut named_threads = Vec::new();
    let mut spans: BTreeMap<u64, Vec<(u64, u64)>> = BTreeMap::new();
    let micros = |v: &Value| -> u64 {
        let f = v.as_f64().expect("a number");
        assert!(f.is_finite() && f >= 0.0, "time {f}");
        (f * 1000.0).round() as u64
    };
    for e in events {
        let ph = e["ph"].as_str().expect("ph");
        assert!(e["name"].is_string(), "name: {e}");
        assert!(e["pid"].is_u64(), "pid: {e}");
        assert!(e["tid"].is_u64(), "tid: {e}");
        let tid = e["tid"].as_u64().unwrap();
        match ph {
            "M" => match e["name"].as_str().unwrap() {
                "process_name" => assert!(e["args"]["name"].is_string()),
                "thread_name" => {
                    assert!(e["args"]["name"].is_string());
                    named_threads.push(tid);
                }
                "thread_sort_index" => assert!(e["args"]["sort_index"].is_i64()),
                other => panic!("unknown metadata event {other}"),
            },
            "X" => {
                assert!(e["cat"].is_string(), "cat: {e}");
                assert!(e["args"].is_object(), "args: {e}");
                let ts = micros(&e["ts"]);
                spans
                    .entry(tid)
                    .or_default()
                    .push((ts, ts + micros(&e["dur"])));
            }
            "C" => {
                micros(&e["ts"]);
                let args = e["args"].as_object().expect("counter args");
                assert!(!args.is_empty() && args.values().all(Value::is_number));
            }
            "i" => {
                micros(&e["ts"]);
                assert!(
                    matches!(e["s"].as_str(), Some("g" | "p" | "t")),
                    "scope: {e}"
                );
            }
            other => panic!("unexpected phase {other}"),
        }
    }
    for (tid, list) in &mut spans {
        assert!(named_threads.contains(tid), "thread {tid} has no name");
        // Sorted by start, longest first: each span lies inside the
        // innermost open span or after it, never across its end.
        list.sort_by_key(|&(s, e)| (s, std::cmp::Reverse(e)));
        let mut open: Vec<u64> = Vec::new();
        for &(start, end) in list.iter() {
            while open.last().is_some_and(|&e| e <= start && e != end) {
                open.pop();
            }
            if let Some(&outer) = open.last() {
                assert!(
                    end <= outer,
                    "thread {tid}: [{start}, {end}] crosses {outer}"
                );
            }
            open.push(end);
        }
    }
    spans.keys().copied().collect()
}

/// The `<rect>`s of each lane's row in `svg`: (lane, x, y, width, fill).
fn lane_rects(svg: &str) -> Vec<(u32, f32, f32, f32, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..at + tag[at..].find('"')?].to_owned())
    };
    let mut rects = Vec::new();
    for group in svg.split("<g class=\"lane\" data-lane=\"").skip(1) {
        let lane: u32 = group[..group.find('"').unwrap()].parse().unwrap();
        let body = &group[..group.find("</g>").unwrap()];
        for tag in body.split("<rect").skip(1) {
            let num = |n: &str| attr(tag, n).unwrap().parse::<f32>().unwrap();
            rects.push((
                lane,
                num("x"),
                num("y"),
                num("width"),
                attr(tag, "fill").unwrap(),
            ));
        }
    }
    rects
}

/// Renders `svg` with resvg and checks that each lane's row shows its bars
/// in their colours: the pixel at the centre of every bar at least 3 px
/// wide has the bar's fill. Returns the rows seen.
fn render_and_check(svg: &str, lanes: u32, png: &Path, work_visible: bool) -> usize {
    use resvg::{tiny_skia, usvg};
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).expect("the SVG parses");
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let _ = pixmap.save_png(png);
    let rects = lane_rects(svg);
    let mut rows = BTreeMap::new();
    for (lane, x, y, width, fill) in &rects {
        rows.entry(*lane).or_insert(*y);
        assert_eq!(rows[lane], *y, "lane {lane}'s bars share a row");
        if *width < 3.0 {
            continue;
        }
        let (px, py) = ((x + width / 2.0) as u32, (y + 13.0) as u32);
        let pixel = pixmap.pixel(px, py).unwrap();
        let want = u32::from_str_radix(&fill[1..], 16).unwrap();
        let got = (u32::from(pixel.red()) << 16)
            | (u32::from(pixel.green()) << 8)
            | u32::from(pixel.blue());
        assert_eq!(
            got, want,
            "lane {lane}: pixel ({px}, {py}) is #{got:06x}, not the bar's {fill}"
        );
    }
    assert_eq!(rows.len(), lanes as usize, "a row per lane");
    let mut ys: Vec<f32> = rows.values().copied().collect();
    ys.dedup();
    assert_eq!(ys.len(), lanes as usize, "rows do not overlap");
    // Every data lane's row has bars; where asked, work wide enough to see.
    for lane in 1..lanes {
        assert!(rects.iter().any(|r| r.0 == lane), "lane {lane} has no bars");
        if !work_visible {
            continue;
        }
        assert!(
            rects
                .iter()
                .any(|r| r.0 == lane && r.3 >= 3.0 && r.4 != "#d0d0d0" && r.4 != "#e15759"),
            "lane {lane} shows no work"
        );
    }
    rows.len()
}

#[test]
fn every_example_traces_the_same_shape_on_both_targets_and_draws_its_lanes() {
    let module = module();
    let dir = scratch("examples");
    for (seed, example) in EXAMPLES.iter().enumerate() {
        let elements = example.large.min(example.uneven * 64);
        let input = (example.input)(elements, seed as u64);
        let (host, wasm) = traces(&module, example.name, &input);
        assert_eq!(
            host.shape(),
            wasm.shape(),
            "{}: the host mock's trace and the runtime's differ in shape",
            example.name
        );
        assert_eq!(host.fuel.len(), wasm.fuel.len(), "{}", example.name);
        assert_eq!(wasm.lanes, WORKERS);
        // Deterministic in fuel time.
        let (_, again) = traces(&module, example.name, &input);
        assert_eq!(again, wasm, "{}: the runtime's trace changed", example.name);
        for (side, trace) in [("host", &host), ("runtime", &wasm)] {
            let json = trace.to_chrome_json();
            let threads = validate_trace_event_json(&json);
            assert_eq!(threads, (0..u64::from(WORKERS)).collect::<Vec<_>>());
            let file = dir.join(format!("{}-{side}.json", example.name));
            std::fs::write(&file, &json).unwrap();
            let svg_file = file.with_extension("svg");
            let out = grafos(&["timeline", p(&file), "-o", p(&svg_file)]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let svg = std::fs::read_to_string(&svg_file).unwrap();
            // In fuel time the work is what the picture shows; in wall
            // time, on a busy machine, starting threads may dwarf it.
            let png = file.with_extension("png");
            let rows = render_and_check(&svg, WORKERS, &png, side == "runtime");
            assert_eq!(rows, WORKERS as usize);
        }
    }
}

#[test]
fn run_writes_a_trace_and_a_profile() {
    let dir = scratch("run");
    let input = dir.join("input.bin");
    let example = grafos_examples::catalog::find("scan").unwrap();
    std::fs::write(&input, (example.input)(example.uneven, 3)).unwrap();
    let trace = dir.join("scan.json");
    let out = grafos(&[
        "run",
        p(module_path()),
        "scan",
        "--input",
        p(&input),
        "--output",
        p(&dir.join("out.bin")),
        "--trace",
        p(&trace),
        "--profile",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    validate_trace_event_json(&std::fs::read_to_string(&trace).unwrap());
    assert!(
        stderr.contains("region 0: 3 data lanes, 1 barrier round(s)"),
        "{stderr}"
    );
    assert!(stderr.contains("slowest lane"), "{stderr}");
    assert!(stderr.contains("barrier waits:"), "{stderr}");
    let out = grafos(&[
        "run",
        p(module_path()),
        "scan",
        "--input",
        p(&input),
        "--json",
        "--profile",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let region = &report["profile"]["regions"][0];
    assert_eq!(report["profile"]["unit"], "fuel");
    assert_eq!(region["work"].as_array().unwrap().len(), 3);
    assert_eq!(region["barrier_rounds"], 1);
    let share = region["slowest_share"].as_f64().unwrap();
    assert!((1.0 / 3.0..=1.0).contains(&share), "{share}");
}

#[test]
fn trace_and_timeline_errors_are_one_line() {
    let dir = scratch("errors");
    let one_line = |out: &Output, code: i32, needle: &str| {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "`{needle}` in {err}");
    };
    one_line(
        &grafos(&[
            "run",
            p(module_path()),
            "dot",
            "--output",
            p(&dir.join("o")),
            "--trace",
            "/nonexistent/dir/t.json",
        ]),
        3,
        "cannot write trace /nonexistent/dir/t.json",
    );
    one_line(
        &grafos(&["timeline", "/nonexistent/t.json"]),
        3,
        "cannot read trace",
    );
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"traceEvents\": 3").unwrap();
    one_line(
        &grafos(&["timeline", p(&bad)]),
        3,
        "is not a grafos trace: not JSON",
    );
    std::fs::write(&bad, "{\"traceEvents\": []}").unwrap();
    one_line(&grafos(&["timeline", p(&bad)]), 3, "grafos-trace");
    let good = dir.join("good.json");
    let module = module();
    let (_, wasm) = traces(&module, "dot", b"12345678");
    std::fs::write(&good, wasm.to_chrome_json()).unwrap();
    one_line(
        &grafos(&["timeline", p(&good), "-o", "/nonexistent/dir/x.svg"]),
        3,
        "cannot write /nonexistent/dir/x.svg",
    );
}

//! The figures `countersign bench` reports: latency percentiles and the printed table (or
//! JSON array) of name, measured value and target.

use serde_json::{json, Value};
use std::time::Duration;

pub struct Figure {
    pub name: String,
    pub value: String,
    pub target: &'static str,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

pub fn p50_p99(mut samples: Vec<Duration>) -> String {
    samples.sort();
    format!(
        "p50 {}  p99 {}  (n={})",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        samples.len()
    )
}

pub fn print(figures: &[Figure], json_out: bool) {
    if json_out {
        let out: Vec<Value> = figures
            .iter()
            .map(|f| json!({"name": f.name, "value": f.value, "target": f.target}))
            .collect();
        println!("{}", Value::Array(out));
    } else {
        println!("{:<52} {:<48} target", "figure", "measured");
        for f in figures {
            println!("{:<52} {:<48} {}", f.name, f.value, f.target);
        }
    }
}

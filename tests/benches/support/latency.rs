//! Latencies of a load run and how they are printed, shared by the load benchmarks and drills.

use std::time::Duration;

/// Latencies of one run, sorted.
pub struct Run {
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> f64 {
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies
            .get(i)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    }

    pub fn mean_ms(&self) -> f64 {
        let total: Duration = self.latencies.iter().sum();
        total.as_secs_f64() * 1000.0 / self.latencies.len().max(1) as f64
    }

    pub fn line(&self, name: &str) {
        println!(
            "{name:<34} {:>10.0} {:>9.2} {:>9.2} {:>9.2}",
            self.per_second(),
            self.mean_ms(),
            self.percentile(0.5),
            self.percentile(0.99)
        );
    }
}

pub fn header() {
    println!(
        "{:<34} {:>10} {:>9} {:>9} {:>9}",
        "", "req/s", "mean ms", "p50 ms", "p99 ms"
    );
}

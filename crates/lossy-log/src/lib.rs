//! Logging for the demo shop and the simulator: `tracing` events, one line each, written to
//! standard error by a writer that drops a line it cannot write.
//!
//! `eprintln!` panics when standard error cannot be written (a full disk, a closed pipe), and a
//! panic in a request handler fails that request, after the order it logged may already be
//! stored and charged. A log line is worth less than the request that wrote it: here a failed
//! write is counted and forgotten, and the request goes on.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Lines that could not be written since the process started.
pub fn dropped() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// Writes through to `W`; a write or flush that fails is counted, not reported.
pub struct Lossy<W>(pub W);

impl<W: Write> Write for Lossy<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.0.write_all(buf).is_err() {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = self.0.flush();
        Ok(())
    }
}

/// Makes a [`Lossy`] writer over what `F` makes, for each line.
pub struct LossyWriter<F>(pub F);

impl<'a, F, W> MakeWriter<'a> for LossyWriter<F>
where
    F: Fn() -> W + 'a,
    W: Write + 'a,
{
    type Writer = Lossy<W>;

    fn make_writer(&'a self) -> Self::Writer {
        Lossy((self.0)())
    }
}

/// A line for the person who started the program (its address, its settings), on standard
/// output; dropped if it cannot be written, like the log's lines.
pub fn out(line: std::fmt::Arguments<'_>) {
    let mut stdout = io::stdout().lock();
    write_line(&mut stdout, line);
}

/// A line about why the program cannot start, on standard error; dropped if it cannot be
/// written.
pub fn err(line: std::fmt::Arguments<'_>) {
    let mut stderr = io::stderr().lock();
    write_line(&mut stderr, line);
}

fn write_line(to: &mut impl Write, line: std::fmt::Arguments<'_>) {
    if to
        .write_fmt(line)
        .and_then(|()| to.write_all(b"\n"))
        .is_err()
    {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Installs the process's logger: lines on standard error, filtered by `RUST_LOG` (`info`
/// when unset). Does nothing when a logger is already installed.
pub fn init() {
    init_with(io::stderr);
}

/// As [`init`], with lines written to what `make` gives.
pub fn init_with<F, W>(make: F)
where
    F: for<'a> Fn() -> W + Send + Sync + 'static,
    W: Write + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::env::var_os("NO_COLOR").is_none() && io::IsTerminal::is_terminal(&io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(LossyWriter(make))
        // The subscriber would report a failed write on standard error itself.
        .log_internal_errors(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every write fails, as on a full disk.
    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from_raw_os_error(28)) // ENOSPC
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from_raw_os_error(28))
        }
    }

    #[test]
    fn a_line_that_cannot_be_written_is_dropped_and_counted() {
        let before = dropped();
        let mut writer = Lossy(Full);
        assert_eq!(writer.write(b"order A-1 stored\n").unwrap(), 17);
        assert!(writer.flush().is_ok());
        assert_eq!(dropped(), before + 1);
    }

    #[test]
    fn events_through_a_failing_writer_do_not_panic() {
        let before = dropped();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(LossyWriter(|| Full))
            .log_internal_errors(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            for i in 0..5 {
                tracing::info!(order = i, "stored");
            }
        });
        assert!(dropped() >= before + 5);
    }
}

//! The runs of dark modules as the shortest path text: which way each row is walked, which
//! way each run is drawn and whether each move is `m` or `M`, chosen by dynamic programming
//! over the runs (the pen left by one run is the next move's origin).

/// A horizontal run of dark modules: `w` modules from column `x` of row `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Run {
    pub(super) x: i32,
    pub(super) y: i32,
    pub(super) w: i32,
}

/// A pen position: column, row.
pub(super) type Pen = (i32, i32);

/// Decimal length of `n`.
pub(super) fn num_len(n: i32) -> usize {
    let mut len = usize::from(n < 0) + 1;
    let mut rest = n.unsigned_abs() / 10;
    while rest > 0 {
        len += 1;
        rest /= 10;
    }
    len
}

/// The move to `to`: relative when the pen is known and that is shorter.
pub(super) fn move_to(pen: Option<Pen>, to: Pen) -> (usize, bool) {
    // The minus sign of a negative second number separates it from the first.
    let pair = |a: i32, b: i32| num_len(a) + usize::from(b >= 0) + num_len(b);
    let absolute = 1 + pair(to.0, to.1);
    match pen {
        Some(p) => {
            let relative = 1 + pair(to.0 - p.0, to.1 - p.1);
            if relative < absolute {
                (relative, true)
            } else {
                (absolute, false)
            }
        }
        None => (absolute, false),
    }
}

pub(super) fn write_move(out: &mut String, pen: Option<Pen>, to: Pen, relative: bool) {
    let (cmd, (a, b)) = match pen {
        Some(p) if relative => ('m', (to.0 - p.0, to.1 - p.1)),
        _ => ('M', to),
    };
    out.push(cmd);
    write_num(out, a);
    if b >= 0 {
        out.push(' ');
    }
    write_num(out, b);
}

/// `n` in decimal, as `{n}` writes it: by hand, so the QR module (crates/qr-module) links no
/// formatting machinery.
pub(super) fn write_num(out: &mut String, n: i32) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 10];
    let mut rest = n.unsigned_abs();
    let mut len = 0;
    loop {
        digits[len] = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in digits[..len].iter().rev() {
        out.push(char::from(d));
    }
}

/// One run in the drawing: which way it is drawn, how the pen got to its
/// start, the step before it and the bytes so far.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step {
    pub(super) run: Run,
    pub(super) leftward: bool,
    pub(super) relative: bool,
    pub(super) prev: Option<usize>,
    pub(super) cost: usize,
}

impl Step {
    pub(super) fn start(&self) -> Pen {
        let r = self.run;
        (if self.leftward { r.x + r.w } else { r.x }, r.y)
    }

    pub(super) fn end(&self) -> Pen {
        let r = self.run;
        (if self.leftward { r.x } else { r.x + r.w }, r.y)
    }

    pub(super) fn stroke(&self) -> i32 {
        if self.leftward {
            -self.run.w
        } else {
            self.run.w
        }
    }
}

/// The cheapest drawing of the runs, and its byte length.
pub(super) struct Drawing {
    pub(super) steps: Vec<Step>,
    pub(super) cost: usize,
}

impl Drawing {
    pub(super) fn optimal(rows: &[Vec<Run>]) -> Drawing {
        // Every run gets four steps: its row walked left to right or right to
        // left, and the run drawn rightward or leftward. A step keeps the best
        // of the steps it can follow: the previous run of its row in the same
        // walk, or, for a row's first run, any of the previous row's last steps.
        let mut all: Vec<Step> = Vec::new();
        let mut incoming: Vec<usize> = Vec::new();
        for runs in rows.iter().filter(|r| !r.is_empty()) {
            let mut finals = Vec::with_capacity(4);
            for backwards in [false, true] {
                let mut frontier = incoming.clone();
                let walk: Box<dyn Iterator<Item = &Run>> = if backwards {
                    Box::new(runs.iter().rev())
                } else {
                    Box::new(runs.iter())
                };
                for &run in walk {
                    let mut next = Vec::with_capacity(2);
                    for leftward in [false, true] {
                        let mut step = Step {
                            run,
                            leftward,
                            relative: false,
                            prev: None,
                            cost: 0,
                        };
                        let start = step.start();
                        let (mut best, _) = move_to(None, start);
                        for &p in &frontier {
                            let (len, relative) = move_to(Some(all[p].end()), start);
                            let total = all[p].cost + len;
                            if step.prev.is_none() || total < best {
                                best = total;
                                step.prev = Some(p);
                                step.relative = relative;
                            }
                        }
                        step.cost = best + 1 + num_len(step.stroke());
                        all.push(step);
                        next.push(all.len() - 1);
                    }
                    frontier = next;
                }
                finals.extend(frontier);
            }
            incoming = finals;
        }
        let Some(last) = incoming.into_iter().min_by_key(|&i| all[i].cost) else {
            return Drawing {
                steps: Vec::new(),
                cost: 0,
            };
        };
        let cost = all[last].cost;
        let mut steps = Vec::new();
        let mut at = Some(last);
        while let Some(i) = at {
            steps.push(all[i]);
            at = all[i].prev;
        }
        steps.reverse();
        Drawing { steps, cost }
    }

    /// The runs in reading order, each drawn left to right from the pen the run before left,
    /// each move the shorter of `M` and `m`: no search. Longer text than [`Drawing::optimal`]'s
    /// (about a tenth), for the browser's QR module: there the path never crosses the network,
    /// and the search's code would.
    pub(super) fn plain(rows: &[Vec<Run>]) -> String {
        let mut out = String::new();
        let mut pen = None;
        for run in rows.iter().flatten() {
            let start = (run.x, run.y);
            write_move(&mut out, pen, start, move_to(pen, start).1);
            out.push('h');
            write_num(&mut out, run.w);
            pen = Some((run.x + run.w, run.y));
        }
        out
    }

    pub(super) fn render(&self) -> String {
        let mut out = String::with_capacity(self.cost);
        let mut pen = None;
        for step in &self.steps {
            write_move(&mut out, pen, step.start(), step.relative);
            out.push('h');
            write_num(&mut out, step.stroke());
            pen = Some(step.end());
        }
        out
    }
}

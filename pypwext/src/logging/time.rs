//! The Powertools timestamp, `2021-11-24 13:38:50,673+0000`, in UTC, without a
//! date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// `YYYY-MM-DD HH:MM:SS` of one second: every line of that second shares it.
type SecondText = [u8; 19];

thread_local! {
    /// The second the last line of this thread was written in, and its text.
    static LAST_SECOND: std::cell::Cell<Option<(u64, SecondText)>> = const { std::cell::Cell::new(None) };
}

/// Appends `time` as `YYYY-MM-DD HH:MM:SS,mmm+0000`. The date and time of
/// day are worked out once a second per thread; the milliseconds every time.
pub(crate) fn write_timestamp(buf: &mut Vec<u8>, time: SystemTime) {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since_epoch.as_secs();
    let second = match LAST_SECOND.get() {
        Some((cached, text)) if cached == secs => text,
        _ => {
            let text = second_text(secs);
            LAST_SECOND.set(Some((secs, text)));
            text
        }
    };
    buf.extend_from_slice(&second);
    let millis = since_epoch.subsec_millis();
    let digit = |n: u32| b'0' + (n % 10) as u8;
    buf.extend_from_slice(&[
        b',',
        digit(millis / 100),
        digit(millis / 10),
        digit(millis),
        b'+',
        b'0',
        b'0',
        b'0',
        b'0',
    ]);
}

fn second_text(secs: u64) -> SecondText {
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let (year, month, day) = civil_from_days(days);
    let rem = secs % 86_400;
    let (hour, minute, second) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    let mut text = Vec::with_capacity(19);
    push_num(&mut text, u64::try_from(year).unwrap_or(0), 4);
    text.push(b'-');
    push_num(&mut text, u64::from(month), 2);
    text.push(b'-');
    push_num(&mut text, u64::from(day), 2);
    text.push(b' ');
    push_num(&mut text, hour, 2);
    text.push(b':');
    push_num(&mut text, minute, 2);
    text.push(b':');
    push_num(&mut text, second, 2);
    let mut fixed = [b'0'; 19];
    // Years past 9999 are cut to their last four digits rather than shift the line.
    fixed.copy_from_slice(&text[text.len() - 19..]);
    fixed
}

pub(crate) fn push_num(buf: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    while n > 0 {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let written = digits.len() - i;
    for _ in written..width {
        buf.push(b'0');
    }
    buf.extend_from_slice(&digits[i..]);
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64, millis: u64) -> String {
        let mut buf = Vec::new();
        write_timestamp(&mut buf, UNIX_EPOCH + Duration::from_millis(secs * 1000 + millis));
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn known_instants() {
        assert_eq!(at(0, 0), "1970-01-01 00:00:00,000+0000");
        // The example in the Powertools docs.
        assert_eq!(at(1_637_761_130, 673), "2021-11-24 13:38:50,673+0000");
        assert_eq!(at(951_782_400, 5), "2000-02-29 00:00:00,005+0000");
        assert_eq!(at(4_107_542_399, 999), "2100-02-28 23:59:59,999+0000");
        // The same second again (cached), then the next one.
        assert_eq!(at(4_107_542_399, 7), "2100-02-28 23:59:59,007+0000");
        assert_eq!(at(4_107_542_400, 10), "2100-03-01 00:00:00,010+0000");
    }

    #[test]
    fn every_day_for_four_centuries_round_trips() {
        // Inverse check: days_from_civil(civil_from_days(d)) == d.
        fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
            let y = if m <= 2 { y - 1 } else { y };
            let era = y.div_euclid(400);
            let yoe = y.rem_euclid(400);
            let m = i64::from(m);
            let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            era * 146_097 + doe - 719_468
        }
        for days in 0..146_097 {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && (1..=31).contains(&d));
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}

//! The invisible fingerprint of an export's file: a few synthetic rows ("marks") mixed
//! among the real ones, derived from the export's id under a server subkey, so that a
//! leaked file names its export even when its visible watermark is cut off.
//!
//! Each mark looks like a record of the form: a record id shaped like the real ones
//! (UUID v7 with a plausible time), and a value for every field of the kind the field
//! asks for (a name, a mainland mobile number, an e-mail address, a resident ID number
//! with a valid check character, an address…), shown through the same masking as the
//! real rows. The id's 74 random bits are HMAC output, so finding one in a file names
//! the export with a chance of error below one in 2^64; a mark's e-mail, phone, ID and
//! address are distinctive too, for files whose id column was removed.
//!
//! Marks are never stored as records: nothing counts them, and an import refuses rows
//! that carry them (`is_mark`). Only the number of marks a file carried is kept in the
//! ledger; the marks themselves are computed again when a file is traced.

use hmac::Mac as _;
use shared::{
    ids::ExportId,
    schema::{check_character, format_iso_date, Address, Field, FieldKind, FieldValue},
};

use crate::crypto::SubkeyRoot;

/// The subkey's purpose.
const PURPOSE: &str = "export-marks";

/// How many marks a file of about `rows` records carries: one per 25 rows, at least 8
/// (so that half of a small file still holds some) and at most 32.
#[must_use]
pub fn count_for(rows: u64) -> u32 {
    u32::try_from((rows / 25).clamp(8, 32)).unwrap_or(32)
}

/// The marks of one export.
pub struct Marks<'a> {
    root: &'a SubkeyRoot,
    export: ExportId,
    count: u32,
}

/// 32 keyed bytes for one mark and one use.
type Seed = [u8; 32];

impl<'a> Marks<'a> {
    #[must_use]
    pub fn new(root: &'a SubkeyRoot, export: ExportId, count: u32) -> Self {
        Self {
            root,
            export,
            count,
        }
    }

    #[must_use]
    pub fn count(&self) -> u32 {
        self.count
    }

    fn seed(&self, index: u32, what: &str) -> Seed {
        let mut mac = self.root.mac(PURPOSE);
        mac.update(self.export.as_uuid().as_bytes());
        mac.update(&index.to_be_bytes());
        mac.update(what.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Before which real row (0-based) each mark goes, ascending, for a file expected to
    /// hold `expected_rows`: one mark in each equal slice of the file, at a keyed place.
    #[must_use]
    pub fn positions(&self, expected_rows: u64) -> Vec<u64> {
        let count = u64::from(self.count.max(1));
        let slice = (expected_rows / count).max(1);
        (0..self.count)
            .map(|i| {
                let s = self.seed(i, "position");
                u64::from(i) * slice
                    + u64::from(u32::from_be_bytes([s[0], s[1], s[2], s[3]])) % slice
            })
            .collect()
    }

    /// The 10 bytes of mark `index`'s record id after its timestamp (version and
    /// variant bits set as in a UUID v7): what identifies it.
    #[must_use]
    pub fn id_tail(&self, index: u32) -> [u8; 10] {
        let s = self.seed(index, "id");
        let mut tail = [0u8; 10];
        tail.copy_from_slice(&s[..10]);
        tail[0] = 0x70 | (tail[0] & 0x0f);
        tail[2] = 0x80 | (tail[2] & 0x3f);
        tail
    }

    /// Mark `index`'s record id, as if collected at `at_ms`.
    #[must_use]
    pub fn record_id(&self, index: u32, at_ms: i64) -> uuid::Uuid {
        let mut bytes = [0u8; 16];
        let ms = u64::try_from(at_ms.max(0)).unwrap_or(0).to_be_bytes();
        bytes[..6].copy_from_slice(&ms[2..]);
        bytes[6..].copy_from_slice(&self.id_tail(index));
        uuid::Uuid::from_bytes(bytes)
    }

    /// A keyed offset in `1..=max` milliseconds for mark `index`'s time.
    #[must_use]
    pub fn time_offset(&self, index: u32, max: i64) -> i64 {
        let s = self.seed(index, "time");
        let n = i64::from(u32::from_be_bytes([s[0], s[1], s[2], s[3]]) >> 1);
        1 + n % max.max(1)
    }

    /// Mark `index`'s value for `field`, as the stored value's text (before masking), or
    /// `None` for a field that holds no value.
    #[must_use]
    pub fn value_text(
        &self,
        index: u32,
        field: &Field,
        locale: shared::i18n::Locale,
    ) -> Option<String> {
        let s = self.seed(index, field.key.as_str());
        let person = Person::of(&self.seed(index, "person"));
        let pick = |n: usize, at: usize| usize::from(s[at % 32]) % n.max(1);
        let text = match &field.kind {
            FieldKind::Notice => return None,
            // A typed signature shows the name; drawn ones are never synthesised.
            FieldKind::ShortText | FieldKind::Signature => person.name(),
            FieldKind::LongText => NOTES[pick(NOTES.len(), 0)].to_owned(),
            FieldKind::Number { decimals } => {
                let whole = 18 + u32::from(s[0]) % 58;
                if *decimals == 0 {
                    whole.to_string()
                } else {
                    let frac = u32::from(s[1]) % 10;
                    format!("{whole}.{frac}")
                }
            }
            FieldKind::Email => person.email(&s),
            FieldKind::Phone { .. } => {
                let second = [b'3', b'5', b'7', b'8', b'9'][pick(5, 0)];
                let mut n = String::from("+861");
                n.push(char::from(second));
                for b in &s[1..10] {
                    n.push(char::from(b'0' + b % 10));
                }
                n
            }
            FieldKind::ResidentId => resident_id(&s),
            FieldKind::Date => {
                let base = time::macros::date!(1965 - 01 - 01);
                let days = i64::from(u16::from_be_bytes([s[0], s[1]])) % (40 * 365);
                format_iso_date(base + time::Duration::days(days))
            }
            FieldKind::SingleChoice { options } => {
                let o = options.get(pick(options.len(), 0))?;
                field.value_text(&FieldValue::Choice(o.key.clone()), locale)
            }
            FieldKind::MultipleChoice { options } => {
                let mut keys: Vec<_> = options
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| s[i % 32] & 1 == 1)
                    .map(|(_, o)| o.key.clone())
                    .collect();
                if keys.is_empty() {
                    keys.extend(options.first().map(|o| o.key.clone()));
                }
                field.value_text(&FieldValue::Choices(keys), locale)
            }
            FieldKind::YesNo => field.value_text(&FieldValue::Bool(s[0] & 1 == 1), locale),
            FieldKind::Address => {
                let (province, city, district) = PLACES[pick(PLACES.len(), 0)];
                FieldValue::Address(Address {
                    province: province.to_owned(),
                    city: city.to_owned(),
                    district: district.to_owned(),
                    detail: format!(
                        "{}{}号{}栋{}室",
                        STREETS[pick(STREETS.len(), 1)],
                        1 + u32::from(s[2]) % 300,
                        1 + s[3] % 20,
                        101 + u32::from(s[4]) % 30 * 100 + u32::from(s[5]) % 6,
                    ),
                })
                .display_text()
            }
        };
        Some(text)
    }

    /// Whether a field's mark values are distinctive enough to trace a file by value.
    #[must_use]
    pub fn distinctive(field: &Field) -> bool {
        matches!(
            field.kind,
            FieldKind::Email | FieldKind::Phone { .. } | FieldKind::ResidentId | FieldKind::Address
        )
    }
}

/// A synthetic person: a surname and given name, with their pinyin for e-mail.
struct Person {
    surname: (&'static str, &'static str),
    given: (&'static str, &'static str),
}

impl Person {
    fn of(s: &Seed) -> Self {
        Self {
            surname: SURNAMES[usize::from(s[0]) % SURNAMES.len()],
            given: GIVEN[usize::from(u16::from_be_bytes([s[1], s[2]])) % GIVEN.len()],
        }
    }

    fn name(&self) -> String {
        format!("{}{}", self.surname.0, self.given.0)
    }

    fn email(&self, s: &Seed) -> String {
        let domain = DOMAINS[usize::from(s[3]) % DOMAINS.len()];
        let digits = 10 + u32::from(u16::from_be_bytes([s[4], s[5]])) % 9990;
        format!("{}{}{digits}@{domain}", self.surname.1, self.given.1)
    }
}

/// An 18-character resident ID number with a valid check character.
fn resident_id(s: &Seed) -> String {
    let region = REGIONS[usize::from(s[0]) % REGIONS.len()];
    let base = time::macros::date!(1965 - 01 - 01);
    let born =
        base + time::Duration::days(i64::from(u16::from_be_bytes([s[1], s[2]])) % (38 * 365));
    let seq = u32::from(u16::from_be_bytes([s[3], s[4]])) % 1000;
    let first17 = format!(
        "{region}{:04}{:02}{:02}{seq:03}",
        born.year(),
        u8::from(born.month()),
        born.day()
    );
    let check = check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

const SURNAMES: [(&str, &str); 20] = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("高", "gao"),
    ("林", "lin"),
    ("罗", "luo"),
];

const GIVEN: [(&str, &str); 32] = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("秀英", "xiuying"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀兰", "xiulan"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("建华", "jianhua"),
    ("文", "wen"),
    ("辉", "hui"),
    ("鑫", "xin"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("婷", "ting"),
    ("雪", "xue"),
    ("欣怡", "xinyi"),
    ("子轩", "zixuan"),
];

const DOMAINS: [&str; 6] = [
    "qq.com",
    "163.com",
    "126.com",
    "gmail.com",
    "outlook.com",
    "sina.com",
];

const REGIONS: [&str; 10] = [
    "110101", "110105", "310104", "310115", "440103", "440305", "330106", "320102", "510107",
    "420106",
];

const PLACES: [(&str, &str, &str); 6] = [
    ("北京市", "北京市", "朝阳区"),
    ("上海市", "上海市", "浦东新区"),
    ("广东省", "深圳市", "南山区"),
    ("浙江省", "杭州市", "西湖区"),
    ("江苏省", "南京市", "鼓楼区"),
    ("四川省", "成都市", "武侯区"),
];

const STREETS: [&str; 6] = ["建国路", "人民路", "中山路", "解放路", "和平路", "长江路"];

const NOTES: [&str; 5] = [
    "已电话沟通，客户有意向",
    "希望周末联系",
    "需要报价单",
    "老客户推荐",
    "门店到访咨询",
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn root() -> SubkeyRoot {
        SubkeyRoot::from_bytes([7; 32])
    }

    #[test]
    fn marks_are_keyed_by_export_and_server() {
        let a = ExportId::from_uuid(uuid::Uuid::now_v7());
        let b = ExportId::from_uuid(uuid::Uuid::now_v7());
        let r = root();
        let other = SubkeyRoot::from_bytes([8; 32]);
        assert_eq!(
            Marks::new(&r, a, 8).id_tail(0),
            Marks::new(&r, a, 8).id_tail(0)
        );
        assert_ne!(
            Marks::new(&r, a, 8).id_tail(0),
            Marks::new(&r, b, 8).id_tail(0)
        );
        assert_ne!(
            Marks::new(&r, a, 8).id_tail(0),
            Marks::new(&other, a, 8).id_tail(0)
        );
        assert_ne!(
            Marks::new(&r, a, 8).id_tail(0),
            Marks::new(&r, a, 8).id_tail(1)
        );
        let id = Marks::new(&r, a, 8).record_id(3, 1_764_000_000_000);
        assert_eq!(id.get_version_num(), 7);
        assert_eq!(id.as_bytes()[6..], Marks::new(&r, a, 8).id_tail(3));
    }

    #[test]
    fn one_mark_in_each_slice() {
        let r = root();
        let m = Marks::new(
            &r,
            ExportId::from_uuid(uuid::Uuid::now_v7()),
            count_for(1000),
        );
        assert_eq!(m.count(), 32);
        let p = m.positions(1000);
        let slice = 1000 / u64::from(m.count());
        for (i, at) in p.iter().enumerate() {
            assert!(
                *at >= i as u64 * slice && *at < (i as u64 + 1) * slice,
                "{i}: {at}"
            );
        }
        assert_eq!(count_for(0), 8);
        // An empty file: every mark after the (missing) rows, in order.
        let empty = Marks::new(&r, ExportId::from_uuid(uuid::Uuid::now_v7()), 8).positions(0);
        assert_eq!(empty, (0..8).collect::<Vec<u64>>());
    }

    #[test]
    fn synthetic_values_pass_the_forms_own_rules() {
        use shared::schema::{EmailAddress, PhoneNumber, ResidentId};
        let r = root();
        let m = Marks::new(&r, ExportId::from_uuid(uuid::Uuid::now_v7()), 8);
        for i in 0..8 {
            let s = m.seed(i, "x");
            let id = resident_id(&s);
            assert!(
                ResidentId::parse(&id, time::macros::date!(2026 - 12 - 04)).is_ok(),
                "{id}"
            );
            let p = Person::of(&s);
            assert!(EmailAddress::parse(&p.email(&s)).is_ok());
        }
        let demo = shared::schema::FormDefinition::demo_customer_registration();
        for field in demo.fields() {
            let Some(text) = m.value_text(0, field, shared::i18n::Locale::ZhCn) else {
                continue;
            };
            assert!(!text.is_empty(), "{}", field.key.as_str());
            if let FieldKind::Phone { formats } = &field.kind {
                assert_eq!(
                    PhoneNumber::parse(&text, formats).map(|p| p.as_str().to_owned()),
                    Ok(text.clone())
                );
            }
        }
    }
}

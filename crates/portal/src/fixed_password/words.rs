//! The word lists of fixed passwords: short, kind, easy words a four-year-old's grown-up can
//! read out, 64 a language. No word has an `l`, `i` or `o` (read as `1`, `I`/`l` and `0` on a
//! printed card), an accent or an `ñ` (typed on any keyboard).

pub const ENGLISH: [&str; 64] = [
    "sun", "cat", "bee", "hat", "jam", "bed", "cup", "bus", "egg", "ant", "bear", "duck", "red",
    "pen", "fan", "web", "nut", "bun", "yak", "deer", "seed", "tree", "star", "bunny", "puppy",
    "happy", "sunny", "cake", "tea", "pear", "bean", "peach", "grape", "fern", "swan", "hen",
    "crab", "shark", "tuna", "zebra", "panda", "mug", "hug", "jump", "drum", "harp", "bug", "pug",
    "cub", "pup", "bay", "sea", "sky", "cherry", "berry", "barn", "farm", "park", "sand", "tent",
    "van", "map", "cap", "nap",
];

pub const SPANISH: [&str; 64] = [
    "casa", "mesa", "pera", "gata", "rana", "nube", "pan", "mar", "uva", "pez", "tren", "paz",
    "cama", "vaca", "taza", "fresa", "nuez", "carta", "rama", "nave", "pata", "cabra", "gema",
    "hada", "mapa", "tapa", "tarta", "ruta", "seda", "abeja", "cebra", "danza", "verde", "arpa",
    "barca", "carpa", "cena", "cereza", "duna", "fruta", "grapa", "manzana", "marea", "senda",
    "sur", "tetera", "yema", "ave", "arena", "fuente", "puente", "cesta", "rey", "jarra", "haba",
    "garza", "cuna", "bata", "capa", "guapa", "fuerte", "grande", "yerba", "menta",
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn every_word_is_short_plain_and_unconfusable() {
        for list in [super::ENGLISH, super::SPANISH] {
            let unique: HashSet<&str> = list.iter().copied().collect();
            assert_eq!(unique.len(), 64);
            for word in list {
                assert!((3..=7).contains(&word.len()), "{word}");
                assert!(word.bytes().all(|b| b.is_ascii_lowercase()), "{word}");
                assert!(!word.contains(['l', 'i', 'o']), "{word}");
            }
        }
    }
}

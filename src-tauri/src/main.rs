fn main() {
    println!("{}", badgein_kiosk::NOT_YET);
}

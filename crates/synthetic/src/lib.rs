//! Generated webcam-like scenes holding a badge: the simulated camera of the kiosk demo, and
//! frames with known, controlled degradations for tests and benchmarks.
//!
//! A scene is a badge (a white card with the code and a name line printed on it) held in front
//! of a cluttered classroom, seen by a 720p-class webcam. The card is placed in 3D (distance,
//! rotation, tilt, a cylindrical bend) and drawn by inverse mapping: every frame pixel near the
//! badge casts a ray and samples the code where the ray meets the card. Then come what the
//! camera adds: glare on the card, defocus blur, exposure, sensor noise, optional JPEG, the
//! selfie mirror. Everything is deterministic from the seeds, and no parameter can panic: each
//! is clamped and NaN falls back to its default.
//!
//! The camera's degradations beyond the lens blur each have a module of their own: motion blur
//! along a direction, defocus (a disk PSF), photon-limited sensor noise in a dim room, auto
//! exposure overshoot, backlight, rolling shutter and MJPEG compression.
//!
//! A crate of its own so that the decoder (`badgein-scanner`) does not ship 1,500 lines of
//! scene painting: the kiosk shell's simulated camera depends on it, and the scanner's tests and
//! benchmarks as a dev-dependency.

mod backlight;
mod defocus;
mod jpeg;
mod motion_blur;
mod overshoot;
mod rolling_shutter;
mod sensor_noise;

pub use backlight::Backlight;
pub use defocus::Defocus;
pub use motion_blur::MotionBlur;
pub use overshoot::Overshoot;
pub use rolling_shutter::RollingShutter;
pub use sensor_noise::SensorNoise;

use badgein_frame::{Frame, FrameSource, SourceError};
use image::GrayImage;

/// Side of the printed code, quiet zone included: a 2 inch badge.
pub const CODE_CM: f32 = 5.08;
/// Horizontal field of view of a typical 720p classroom webcam (they range over 60-70 degrees).
pub const HFOV_DEG: f32 = 65.0;

/// White card around the code, in code widths: the sides and the top...
const CARD_MARGIN: f64 = 0.15;
/// ...and below it, where the child's name is printed.
const CARD_NAME_AREA: f64 = 0.55;
/// Paper is never 255 nor ink 0 once lit and seen by a camera.
const PAPER: f32 = 232.0;
const INK: f32 = 28.0;
const MAX_SIDE: u32 = 4096;
/// The blur of a good webcam lens in focus (`Scene::blur_px`): no real camera is perfectly
/// sharp, so measurements put at least this in every scene.
pub const LENS_BLUR_PX: f32 = 0.8;

/// What is behind the badge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Background {
    /// One grey level.
    Plain(u8),
    /// A wall lit from one side.
    Gradient,
    /// A wall with posters, text, a window frame, a desk and a face: edges and dark squares that
    /// can fool a finder-pattern detector, as a real classroom does.
    Classroom,
}

/// One generated frame's content. [`Scene::default`] is a flat badge 30 cm away in the middle
/// of a 1280x720 classroom frame, with no degradation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    /// Camera to badge, 15..60 cm in practice. It sets the code's size in pixels through the
    /// pinhole model: `size_px = width * CODE_CM / (2 * distance_cm * tan(HFOV_DEG / 2))`, which
    /// is 170 px at 30 cm in a 1280 wide frame.
    pub distance_cm: f32,
    /// Where the badge's centre is, as fractions of the frame's width and height.
    pub centre: (f32, f32),
    /// In-plane rotation, clockwise on screen.
    pub rotation_deg: f32,
    /// Out-of-plane tilts about the horizontal and vertical axes (perspective), up to 80.
    pub tilt_x_deg: f32,
    pub tilt_y_deg: f32,
    /// Cylindrical bend about the vertical axis (a badge curling on its lanyard): the card's
    /// depth at `x` code widths from its centre is `curve * x^2` code widths. 0 is flat.
    pub curve: f32,
    /// Lens blur: about twice the Gaussian sigma, in pixels ([`LENS_BLUR_PX`] for a sharp
    /// webcam).
    pub blur_px: f32,
    /// Out of focus: a disk blur, after the lens blur.
    pub defocus: Option<Defocus>,
    /// The badge moving during the exposure: a line blur.
    pub motion_blur: Option<MotionBlur>,
    /// The badge moving while the rows are read: a horizontal shear of the badge.
    pub rolling_shutter: Option<RollingShutter>,
    /// Strength (0..1) of a specular highlight over part of the code; 1 washes it out.
    pub glare: f32,
    /// Exposure: 1 normal, 0.2 a dim room.
    pub light: f32,
    /// Sensor noise standard deviation, in grey levels, added after the gain.
    pub noise: f32,
    /// A dim room seen by a photon-limited sensor: shot and read noise before the gain.
    pub sensor_noise: Option<SensorNoise>,
    /// Exposure set for a dark room: the badge clipped to white.
    pub overshoot: Option<Overshoot>,
    /// Exposure set for a bright window behind the child: the badge dark and low in contrast.
    pub backlight: Option<Backlight>,
    /// JPEG quality (1..100) the frame is compressed at, as an MJPEG webcam does; 0 for none.
    pub jpeg_quality: u8,
    /// The front-camera selfie view: the whole frame flipped horizontally.
    pub mirror: bool,
    /// A light-on-dark badge.
    pub invert: bool,
    pub background: Background,
    /// The scene's layout: the background, where the glare falls, the name on the card.
    pub seed: u64,
    /// Which frame of a sequence this is: only the sensor noise depends on it, so a sequence
    /// keeps its scene while its noise changes from frame to frame as a camera's does.
    pub frame: u64,
}

impl Default for Scene {
    fn default() -> Self {
        Self {
            width: 1280,
            height: 720,
            distance_cm: 30.0,
            centre: (0.5, 0.5),
            rotation_deg: 0.0,
            tilt_x_deg: 0.0,
            tilt_y_deg: 0.0,
            curve: 0.0,
            blur_px: 0.0,
            defocus: None,
            motion_blur: None,
            rolling_shutter: None,
            glare: 0.0,
            light: 1.0,
            noise: 0.0,
            sensor_noise: None,
            overshoot: None,
            backlight: None,
            jpeg_quality: 0,
            mirror: false,
            invert: false,
            background: Background::Classroom,
            seed: 0,
            frame: 0,
        }
    }
}

impl Scene {
    /// The code's side in pixels at the scene's distance, seen face on.
    pub fn code_size_px(&self) -> f32 {
        let s = Sane::from(self);
        (s.focal * f64::from(CODE_CM) / s.distance) as f32
    }

    /// The frame. `code` is the rendered code with its quiet zone, dark on light; `None` is an
    /// idle frame with no badge in view.
    pub fn render(&self, code: Option<&GrayImage>) -> Frame {
        let s = Sane::from(self);
        let (w, h) = (s.width as usize, s.height as usize);
        let mut light = vec![0.0f32; w * h];
        paint_background(&mut light, w, h, s.background, s.seed);
        let mut gain = s.light;
        if let Some(overshoot) = s.overshoot {
            overshoot.darken_room(&mut light);
            gain *= overshoot.gain;
        }
        if let Some(backlight) = s.backlight {
            backlight.paint_window(&mut light, w, h, s.seed);
            gain *= backlight.gain();
        }
        if let Some(code) = code.filter(|c| c.width() > 0 && c.height() > 0) {
            paint_badge(&mut light, &s, code);
        }
        blur(&mut light, w, h, s.blur_px);
        if let Some(defocus) = s.defocus {
            defocus.apply(&mut light, w, h);
        }
        if let Some(motion) = s.motion_blur {
            motion.apply(&mut light, w, h);
        }
        if let Some(backlight) = s.backlight {
            backlight.veil(&mut light);
        }
        let noise_seed = s.seed ^ s.frame.rotate_left(32);
        if let Some(sensor) = s.sensor_noise {
            sensor.apply(&mut light, noise_seed);
        }
        let mut luma = expose(&light, gain, s.noise, noise_seed);
        if s.jpeg_quality > 0 {
            jpeg::round_trip(&mut luma, s.width, s.height, s.jpeg_quality);
        }
        if s.mirror {
            luma.chunks_exact_mut(w).for_each(<[u8]>::reverse);
        }
        Frame::from_luma(s.width, s.height, luma)
            // Unreachable (the size is clamped and the buffer made to fit), but not worth a panic.
            .unwrap_or_else(|_| Frame::from_image(&image::DynamicImage::new_luma8(1, 1)))
    }
}

/// A scene's parameters made safe: finite, in range, and in the units the maths wants.
#[derive(Debug, Clone, Copy)]
struct Sane {
    width: u32,
    height: u32,
    focal: f64,
    distance: f64,
    centre: (f64, f64),
    rotation: f64,
    tilt_x: f64,
    tilt_y: f64,
    curve: f64,
    blur_px: f32,
    defocus: Option<Defocus>,
    motion_blur: Option<MotionBlur>,
    rolling_shutter: Option<RollingShutter>,
    glare: f32,
    light: f32,
    noise: f32,
    sensor_noise: Option<SensorNoise>,
    overshoot: Option<Overshoot>,
    backlight: Option<Backlight>,
    jpeg_quality: u8,
    mirror: bool,
    invert: bool,
    background: Background,
    seed: u64,
    frame: u64,
}

fn sane(v: f32, default: f32, lo: f32, hi: f32) -> f64 {
    f64::from(if v.is_finite() {
        v.clamp(lo, hi)
    } else {
        default
    })
}

impl From<&Scene> for Sane {
    fn from(s: &Scene) -> Self {
        let width = s.width.clamp(1, MAX_SIDE);
        let height = s.height.clamp(1, MAX_SIDE);
        let half_fov = f64::from(HFOV_DEG).to_radians() / 2.0;
        Self {
            width,
            height,
            focal: f64::from(width) / (2.0 * half_fov.tan()),
            distance: sane(s.distance_cm, 30.0, 3.0, 1000.0),
            centre: (
                sane(s.centre.0, 0.5, -1.0, 2.0),
                sane(s.centre.1, 0.5, -1.0, 2.0),
            ),
            rotation: sane(s.rotation_deg % 360.0, 0.0, -360.0, 360.0).to_radians(),
            tilt_x: sane(s.tilt_x_deg, 0.0, -80.0, 80.0).to_radians(),
            tilt_y: sane(s.tilt_y_deg, 0.0, -80.0, 80.0).to_radians(),
            curve: sane(s.curve, 0.0, -3.0, 3.0),
            blur_px: sane(s.blur_px, 0.0, 0.0, 100.0) as f32,
            defocus: s.defocus.and_then(Defocus::sane),
            motion_blur: s.motion_blur.and_then(MotionBlur::sane),
            rolling_shutter: s.rolling_shutter.and_then(RollingShutter::sane),
            glare: sane(s.glare, 0.0, 0.0, 1.0) as f32,
            light: sane(s.light, 1.0, 0.0, 4.0) as f32,
            noise: sane(s.noise, 0.0, 0.0, 128.0) as f32,
            sensor_noise: s.sensor_noise.and_then(SensorNoise::sane),
            overshoot: s.overshoot.and_then(Overshoot::sane),
            backlight: s.backlight.and_then(Backlight::sane),
            jpeg_quality: s.jpeg_quality.min(100),
            mirror: s.mirror,
            invert: s.invert,
            background: s.background,
            seed: s.seed,
            frame: s.frame,
        }
    }
}

/// SplitMix64: tiny, fast, and good enough for scenery and noise.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x6A09_E667_F3BC_C908)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }

    fn chance(&mut self, p: f32) -> bool {
        self.unit() < p
    }

    /// Two samples of zero mean and unit variance for two pixels' sensor noise. Each is the sum
    /// of two uniforms (a triangular distribution): as noise it looks Gaussian enough, and it
    /// costs a quarter of a Box-Muller.
    fn noise_pair(&mut self) -> [f32; 2] {
        let r = self.next_u64();
        let u = |i: u32| ((r >> (16 * i)) & 0xFFFF) as f32 / 65536.0;
        let scale = 6.0f32.sqrt();
        [(u(0) + u(1) - 1.0) * scale, (u(2) + u(3) - 1.0) * scale]
    }
}

// ---- background ----------------------------------------------------------------------------

/// Fills a rectangle given in pixels, clipped to the frame.
fn fill_rect(buf: &mut [f32], w: usize, h: usize, rect: (f32, f32, f32, f32), value: f32) {
    let (x0, y0, x1, y1) = rect;
    let clip = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
    let (x0, x1) = (clip(x0, w), clip(x1, w));
    let (y0, y1) = (clip(y0, h), clip(y1, h));
    for row in buf.chunks_exact_mut(w).take(y1).skip(y0) {
        row[x0..x1].fill(value);
    }
}

/// Fills an ellipse given by its centre and radii in pixels, clipped to the frame.
fn fill_ellipse(
    buf: &mut [f32],
    w: usize,
    h: usize,
    centre: (f32, f32),
    radii: (f32, f32),
    value: f32,
) {
    let (cx, cy) = centre;
    let (rx, ry) = (radii.0.max(0.5), radii.1.max(0.5));
    let y0 = (cy - ry).max(0.0) as usize;
    let y1 = ((cy + ry).max(0.0) as usize + 1).min(h);
    for y in y0..y1 {
        let dy = (y as f32 + 0.5 - cy) / ry;
        let half = rx * (1.0 - dy * dy).max(0.0).sqrt();
        let x0 = (cx - half).max(0.0) as usize;
        let x1 = ((cx + half).max(0.0) as usize).min(w);
        if x0 < x1 {
            buf[y * w + x0..y * w + x1].fill(value);
        }
    }
}

fn paint_background(buf: &mut [f32], w: usize, h: usize, background: Background, seed: u64) {
    match background {
        Background::Plain(v) => buf.fill(f32::from(v)),
        Background::Gradient => gradient(buf, w, h, &mut Rng::new(seed)),
        Background::Classroom => classroom(buf, w, h, &mut Rng::new(seed)),
    }
}

fn gradient(buf: &mut [f32], w: usize, h: usize, rng: &mut Rng) {
    let top = rng.range(150.0, 210.0);
    let bottom = rng.range(90.0, 150.0);
    let side = rng.range(-30.0, 30.0);
    for (y, row) in buf.chunks_exact_mut(w).enumerate() {
        let base = top + (bottom - top) * y as f32 / h as f32;
        for (x, p) in row.iter_mut().enumerate() {
            *p = base + side * (x as f32 / w as f32 - 0.5);
        }
    }
}

fn classroom(buf: &mut [f32], w: usize, h: usize, rng: &mut Rng) {
    gradient(buf, w, h, rng);
    let (wf, hf) = (w as f32, h as f32);
    // Shapes are placed in fractions of the frame so every frame size shows the same room.
    let scale = hf / 720.0;
    // A desk along the bottom.
    let desk_top = rng.range(0.78, 0.9) * hf;
    fill_rect(buf, w, h, (0.0, desk_top, wf, hf), rng.range(60.0, 110.0));
    for _ in 0..rng.range(4.0, 8.0) as usize {
        let (pw, ph) = (rng.range(0.06, 0.3) * wf, rng.range(0.08, 0.35) * hf);
        let (px, py) = (rng.range(-0.05, 0.95) * wf, rng.range(-0.05, 0.7) * hf);
        let rect = (px, py, px + pw, py + ph);
        if rng.chance(0.5) {
            // A dark frame around it (a window, a whiteboard): square dark outlines, the kind of
            // shape a finder-pattern detector has to reject.
            let t = rng.range(3.0, 9.0) * scale;
            fill_rect(
                buf,
                w,
                h,
                (px - t, py - t, px + pw + t, py + ph + t),
                rng.range(20.0, 60.0),
            );
        }
        let paper = rng.range(60.0, 245.0);
        fill_rect(buf, w, h, rect, paper);
        if rng.chance(0.6) {
            let ink = if paper > 128.0 {
                rng.range(10.0, 70.0)
            } else {
                rng.range(190.0, 250.0)
            };
            text_lines(buf, w, h, rect, ink, scale, rng);
        }
    }
    // Someone's head: hair, a face, two eyes.
    let (fx, fy) = (rng.range(0.3, 0.7) * wf, rng.range(0.2, 0.35) * hf);
    let (rx, ry) = (0.085 * hf, 0.12 * hf);
    fill_ellipse(
        buf,
        w,
        h,
        (fx, fy - 0.25 * ry),
        (rx * 1.12, ry * 0.95),
        rng.range(20.0, 70.0),
    );
    fill_ellipse(
        buf,
        w,
        h,
        (fx, fy + 0.1 * ry),
        (rx, ry * 0.9),
        rng.range(120.0, 190.0),
    );
    for side in [-1.0, 1.0] {
        fill_ellipse(
            buf,
            w,
            h,
            (fx + side * 0.38 * rx, fy),
            (0.13 * rx, 0.08 * ry),
            35.0,
        );
    }
}

/// Rows of dark bars, like printed words seen from across a room.
fn text_lines(
    buf: &mut [f32],
    w: usize,
    h: usize,
    rect: (f32, f32, f32, f32),
    ink: f32,
    scale: f32,
    rng: &mut Rng,
) {
    let (x0, y0, x1, y1) = rect;
    let line = rng.range(9.0, 16.0) * scale;
    let stroke = (line * 0.3).max(1.0);
    let mut y = y0 + line;
    while y + stroke < y1 - line * 0.5 {
        let mut x = x0 + line;
        while x < x1 - line {
            let word = rng.range(1.5, 6.0) * line;
            fill_rect(
                buf,
                w,
                h,
                (x, y, (x + word).min(x1 - line), y + stroke),
                ink,
            );
            x += word + rng.range(0.4, 1.0) * line;
        }
        y += line;
    }
}

// ---- the badge -----------------------------------------------------------------------------

/// A grey image as floats, for bilinear sampling.
struct Plane {
    w: usize,
    h: usize,
    px: Vec<f32>,
}

impl Plane {
    /// The code, box-filtered down by halves until it is at most twice the size it will be
    /// drawn at, so that far badges are averaged instead of aliased.
    fn for_drawing(code: &GrayImage, drawn_px: f64) -> Self {
        let mut plane = Self {
            w: code.width() as usize,
            h: code.height() as usize,
            px: code.as_raw().iter().map(|&v| f32::from(v)).collect(),
        };
        while plane.w >= 8 && plane.h >= 8 && (plane.w as f64) > 2.0 * drawn_px {
            plane = plane.halved();
        }
        plane
    }

    fn halved(&self) -> Self {
        let (w, h) = (self.w / 2, self.h / 2);
        let mut px = Vec::with_capacity(w * h);
        for y in 0..h {
            let (r0, r1) = (2 * y * self.w, (2 * y + 1) * self.w);
            for x in 0..w {
                let sum = self.px[r0 + 2 * x]
                    + self.px[r0 + 2 * x + 1]
                    + self.px[r1 + 2 * x]
                    + self.px[r1 + 2 * x + 1];
                px.push(sum / 4.0);
            }
        }
        Self { w, h, px }
    }

    /// Bilinear sample at (u, v) in [0, 1]^2 across the image.
    fn sample(&self, u: f64, v: f64) -> f32 {
        let x = (u * self.w as f64 - 0.5).clamp(0.0, (self.w - 1) as f64);
        let y = (v * self.h as f64 - 0.5).clamp(0.0, (self.h - 1) as f64);
        let (x0, y0) = (x as usize, y as usize);
        let (x1, y1) = ((x0 + 1).min(self.w - 1), (y0 + 1).min(self.h - 1));
        let (fx, fy) = ((x - x0 as f64) as f32, (y - y0 as f64) as f32);
        let row0 = y0 * self.w;
        let row1 = y1 * self.w;
        let top = self.px[row0 + x0] + (self.px[row0 + x1] - self.px[row0 + x0]) * fx;
        let bottom = self.px[row1 + x0] + (self.px[row1 + x1] - self.px[row1 + x0]) * fx;
        top + (bottom - top) * fy
    }
}

type Vec3 = [f64; 3];

/// Where and how the card sits in front of the camera. Badge coordinates are in code widths,
/// centred on the code, x right, y down, z away from the camera.
struct Pose {
    /// Badge to camera rotation, row-major.
    r: [[f64; 3]; 3],
    /// The badge centre in camera space, in code widths.
    t: Vec3,
    /// The camera's position in badge space, negated: rays are `t * a - b` there.
    b: Vec3,
    focal: f64,
    principal: (f64, f64),
    curve: f64,
}

impl Pose {
    fn new(s: &Sane) -> Self {
        let (sz, cz) = s.rotation.sin_cos();
        let (sy, cy) = s.tilt_y.sin_cos();
        let (sx, cx) = s.tilt_x.sin_cos();
        let rz = [[cz, -sz, 0.0], [sz, cz, 0.0], [0.0, 0.0, 1.0]];
        let ry = [[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]];
        let rx = [[1.0, 0.0, 0.0], [0.0, cx, -sx], [0.0, sx, cx]];
        let r = mat_mul(&rz, &mat_mul(&ry, &rx));
        let (w, h) = (f64::from(s.width), f64::from(s.height));
        let depth = s.distance / f64::from(CODE_CM);
        let principal = (w / 2.0, h / 2.0);
        let t = [
            (s.centre.0 * w - principal.0) / s.focal * depth,
            (s.centre.1 * h - principal.1) / s.focal * depth,
            depth,
        ];
        let b = mat_t_vec(&r, t);
        Self {
            r,
            t,
            b,
            focal: s.focal,
            principal,
            curve: s.curve,
        }
    }

    /// Badge point to frame pixel; `None` behind the camera.
    fn project(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let p = add(mat_vec(&self.r, [x, y, self.curve * x * x]), self.t);
        (p[2] > 1e-3).then(|| {
            (
                self.focal * p[0] / p[2] + self.principal.0,
                self.focal * p[1] / p[2] + self.principal.1,
            )
        })
    }

    /// The direction, in badge space, of the ray through frame row `py`'s left edge, and how it
    /// changes per pixel along the row: rays are linear in the pixel position.
    fn row_rays(&self, py: f64) -> (Vec3, Vec3) {
        let dy = (py - self.principal.1) / self.focal;
        let dx0 = (0.0 - self.principal.0) / self.focal;
        let [r0, r1, r2] = self.r;
        let start = [0, 1, 2].map(|j| r0[j] * dx0 + r1[j] * dy + r2[j]);
        let step = r0.map(|v| v / self.focal);
        (start, step)
    }

    /// Where the ray `t * a - b` (badge space) first meets the card, in badge coordinates.
    fn hit(&self, a: Vec3, card: &Card) -> Option<(f64, f64)> {
        let b = self.b;
        let on_card = |t: f64| {
            let (x, y) = (t * a[0] - b[0], t * a[1] - b[1]);
            (t > 0.0 && card.contains(x, y)).then_some((x, y))
        };
        // On the card, z = curve * x^2: a quadratic in t, linear when flat.
        let k = self.curve;
        let qa = k * a[0] * a[0];
        let qb = -(a[2] + 2.0 * k * a[0] * b[0]);
        let qc = b[2] + k * b[0] * b[0];
        if qa.abs() < 1e-12 {
            return if qb.abs() < 1e-12 {
                None
            } else {
                on_card(-qc / qb)
            };
        }
        let disc = qb * qb - 4.0 * qa * qc;
        if disc < 0.0 {
            return None;
        }
        // The cancellation-free form of the two roots.
        let q = -0.5 * (qb + qb.signum() * disc.sqrt());
        let (t1, t2) = (q / qa, if q == 0.0 { f64::NAN } else { qc / q });
        let (near, far) = if t1 <= t2 { (t1, t2) } else { (t2, t1) };
        on_card(near).or_else(|| on_card(far))
    }
}

fn mat_mul(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut m = [[0.0; 3]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    m
}

fn mat_vec(m: &[[f64; 3]; 3], v: Vec3) -> Vec3 {
    m.map(|row| row[0] * v[0] + row[1] * v[1] + row[2] * v[2])
}

/// Transpose (= inverse, for a rotation) times vector.
fn mat_t_vec(m: &[[f64; 3]; 3], v: Vec3) -> Vec3 {
    [0, 1, 2].map(|j| m[0][j] * v[0] + m[1][j] * v[1] + m[2][j] * v[2])
}

fn add(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

/// The card's extent and what is printed on it besides the code, in badge coordinates.
struct Card {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// The child's name under the code, as letter-sized bars.
    letters: Vec<(f64, f64, f64, f64)>,
    glare_centre: (f64, f64),
}

impl Card {
    fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed.wrapping_add(1));
        let mut letters = Vec::new();
        for (y0, y1) in [(0.64, 0.76), (0.84, 0.91)] {
            let mut x = -0.42 + f64::from(rng.range(0.0, 0.1));
            let end = f64::from(rng.range(0.1, 0.42));
            while x < end {
                let lw = f64::from(rng.range(0.03, 0.06));
                letters.push((x, y0, x + lw, y1));
                x += lw + f64::from(rng.range(0.015, 0.05));
            }
        }
        let glare_centre = (
            f64::from(rng.range(-0.3, 0.3)),
            f64::from(rng.range(-0.3, 0.3)),
        );
        Self {
            left: -0.5 - CARD_MARGIN,
            right: 0.5 + CARD_MARGIN,
            top: -0.5 - CARD_MARGIN,
            bottom: 0.5 + CARD_NAME_AREA,
            letters,
            glare_centre,
        }
    }

    fn contains(&self, x: f64, y: f64) -> bool {
        (self.left..=self.right).contains(&x) && (self.top..=self.bottom).contains(&y)
    }

    /// The card's outline, where its projection's extremes are.
    fn outline(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        const STEPS: usize = 16;
        (0..=STEPS).flat_map(move |i| {
            let f = i as f64 / STEPS as f64;
            let x = self.left + (self.right - self.left) * f;
            let y = self.top + (self.bottom - self.top) * f;
            [
                (x, self.top),
                (x, self.bottom),
                (self.left, y),
                (self.right, y),
            ]
        })
    }

    /// Printed brightness (0 ink .. 255 paper) of the card at (x, y), outside the code.
    fn print(&self, x: f64, y: f64) -> f32 {
        let inked = y > 0.6
            && self
                .letters
                .iter()
                .any(|&(x0, y0, x1, y1)| (x0..x1).contains(&x) && (y0..y1).contains(&y));
        if inked { 0.0 } else { 255.0 }
    }
}

/// The frame rectangle the card can cover: the projected outline's bounds, padded.
fn badge_bounds(pose: &Pose, card: &Card, w: usize, h: usize) -> (usize, usize, usize, usize) {
    let whole = (0, 0, w, h);
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in card.outline() {
        // Part of the card behind the camera: its projection is unbounded.
        let Some((px, py)) = pose.project(x, y) else {
            return whole;
        };
        if !(px.is_finite() && py.is_finite()) {
            return whole;
        }
        (x0, y0, x1, y1) = (x0.min(px), y0.min(py), x1.max(px), y1.max(py));
    }
    // A bent card's silhouette can bulge past its outline's projection.
    let pad = 2.0 + 0.1 * (x1 - x0).max(y1 - y0);
    let clip = |v: f64, max: usize| (v.max(0.0) as usize).min(max);
    (
        clip(x0 - pad, w),
        clip(y0 - pad, h),
        clip(x1 + pad + 1.0, w),
        clip(y1 + pad + 1.0, h),
    )
}

fn paint_badge(buf: &mut [f32], s: &Sane, code: &GrayImage) {
    let (w, h) = (s.width as usize, s.height as usize);
    let pose = Pose::new(s);
    let card = Card::new(s.seed);
    let drawn_px = s.focal * f64::from(CODE_CM) / s.distance;
    let plane = Plane::for_drawing(code, drawn_px);
    let (x0, y0, x1, y1) = badge_bounds(&pose, &card, w, h);
    // A sheared badge reaches further left in the top rows and further right in the bottom ones.
    let reach = s
        .rolling_shutter
        .map_or(0, |r| (r.shift_px.abs() / 2.0).ceil() as usize + 1);
    let (x0, x1) = (x0.saturating_sub(reach), (x1 + reach).min(w));
    let glare_sigma2 = 2.0 * 0.2f64 * 0.2;
    // Past this squared distance the highlight adds less than 1% of its strength.
    let glare_reach2 = 4.6 * glare_sigma2;
    for y in y0..y1 {
        let row = &mut buf[y * w..(y + 1) * w];
        let (start, step) = pose.row_rays(y as f64 + 0.5);
        let shift = s.rolling_shutter.map_or(0.0, |r| r.offset(y, h));
        for (x, out) in row.iter_mut().enumerate().take(x1).skip(x0) {
            let px = x as f64 + 0.5 - shift;
            let ray = [0, 1, 2].map(|j| start[j] + step[j] * px);
            let Some((bx, by)) = pose.hit(ray, &card) else {
                continue;
            };
            let printed = if (-0.5..0.5).contains(&bx) && (-0.5..0.5).contains(&by) {
                plane.sample(bx + 0.5, by + 0.5)
            } else {
                card.print(bx, by)
            };
            let printed = if s.invert { 255.0 - printed } else { printed };
            let mut value = INK + (PAPER - INK) * printed / 255.0;
            if s.glare > 0.0 {
                let (gx, gy) = (bx - card.glare_centre.0, by - card.glare_centre.1);
                let d2 = gx * gx + gy * gy;
                if d2 < glare_reach2 {
                    let spot = (-d2 / glare_sigma2).exp() as f32;
                    // Specular light adds to whatever is printed, up to past white.
                    value += s.glare * spot * (320.0 - value);
                }
            }
            *out = value;
        }
    }
}

// ---- the camera ----------------------------------------------------------------------------

/// Defocus as three passes of a box blur each way (close to a Gaussian), with fractional box
/// radii so that small blurs are not rounded to none.
fn blur(buf: &mut [f32], w: usize, h: usize, blur_px: f32) {
    let sigma = f64::from(blur_px) / 2.0;
    if sigma < 0.1 {
        return;
    }
    let (r, frac) = box_for_variance(sigma * sigma / 3.0);
    if r <= 1 {
        // Small blurs, the usual case: the three boxes as one short kernel, a single pass each
        // way whose inner loops vectorise (a running sum cannot).
        let kernel = three_boxes(r, frac);
        convolve_rows(buf, w, &kernel);
        convolve_columns(buf, w, h, &kernel);
        return;
    }
    // The passes commute, so each row gets its three while it is in cache.
    let (mut a, mut b) = (vec![0.0f32; w], vec![0.0f32; w]);
    for row in buf.chunks_exact_mut(w) {
        box_line(row, &mut a, r, frac);
        box_line(&a, &mut b, r, frac);
        box_line(&b, row, r, frac);
    }
    let mut column = vec![0.0f32; w * h];
    for _ in 0..3 {
        column.copy_from_slice(buf);
        box_columns(&column, buf, w, h, r, frac);
    }
}

/// The kernel of three boxes of radius `r` with end taps `frac`, one after the other.
fn three_boxes(r: usize, frac: f32) -> Vec<f32> {
    let mut one = vec![1.0f32; 2 * r + 3];
    one[0] = frac;
    one[2 * r + 2] = frac;
    let total: f32 = one.iter().sum();
    one.iter_mut().for_each(|k| *k /= total);
    let mut kernel = one.clone();
    for _ in 0..2 {
        let mut wider = vec![0.0f32; kernel.len() + one.len() - 1];
        for (i, a) in kernel.iter().enumerate() {
            for (j, b) in one.iter().enumerate() {
                wider[i + j] += a * b;
            }
        }
        kernel = wider;
    }
    kernel
}

/// Convolves every row with a centred odd-length kernel, repeating the edge pixels.
fn convolve_rows(buf: &mut [f32], w: usize, kernel: &[f32]) {
    let c = kernel.len() / 2;
    let mut padded = vec![0.0f32; w + 2 * c];
    for row in buf.chunks_exact_mut(w) {
        padded[..c].fill(row[0]);
        padded[c..c + w].copy_from_slice(row);
        padded[c + w..].fill(row[w - 1]);
        row.fill(0.0);
        for (i, &k) in kernel.iter().enumerate() {
            row.iter_mut()
                .zip(&padded[i..i + w])
                .for_each(|(o, &p)| *o += k * p);
        }
    }
}

/// Convolves every column with a centred odd-length kernel, repeating the edge rows.
fn convolve_columns(buf: &mut [f32], w: usize, h: usize, kernel: &[f32]) {
    let src = buf.to_vec();
    let c = (kernel.len() / 2) as isize;
    for (y, out) in buf.chunks_exact_mut(w).enumerate() {
        out.fill(0.0);
        for (i, &k) in kernel.iter().enumerate() {
            let sy = (y as isize + i as isize - c).clamp(0, h as isize - 1) as usize;
            out.iter_mut()
                .zip(&src[sy * w..(sy + 1) * w])
                .for_each(|(o, &p)| *o += k * p);
        }
    }
}

/// The integer radius and end-tap weight of a box whose variance is `var`: a box of radius r
/// has variance r(r+1)/3, and end taps of weight `frac` add the rest.
fn box_for_variance(var: f64) -> (usize, f32) {
    let r = ((-1.0 + (1.0 + 12.0 * var).sqrt()) / 2.0).floor().max(0.0);
    let n = 2.0 * r + 1.0;
    let base = r * (r + 1.0) * n / 3.0;
    let edge = (r + 1.0) * (r + 1.0);
    let frac = ((var * n - base) / (2.0 * (edge - var))).clamp(0.0, 1.0);
    (r as usize, frac as f32)
}

fn box_line(src: &[f32], out: &mut [f32], r: usize, frac: f32) {
    let n = src.len();
    let last = n - 1;
    let norm = 1.0 / (2.0 * r as f32 + 1.0 + 2.0 * frac);
    let mut sum: f32 = src[0] * (r + 1) as f32 + (1..=r).map(|i| src[i.min(last)]).sum::<f32>();
    for (i, o) in out.iter_mut().enumerate() {
        // Indices past the ends repeat the edge pixel.
        let behind = src[i.saturating_sub(r + 1)];
        let ahead = src[(i + r + 1).min(last)];
        *o = (sum + frac * (behind + ahead)) * norm;
        sum += ahead - src[i.saturating_sub(r)];
    }
}

/// [`box_line`] down every column at once, a row at a time, so memory is read in order.
fn box_columns(src: &[f32], out: &mut [f32], w: usize, h: usize, r: usize, frac: f32) {
    let hi = h as isize - 1;
    let row = |y: isize| {
        let y = y.clamp(0, hi) as usize;
        &src[y * w..(y + 1) * w]
    };
    let r = r as isize;
    let norm = 1.0 / (2.0 * r as f32 + 1.0 + 2.0 * frac);
    let mut sum = vec![0.0f32; w];
    for y in -r..=r {
        sum.iter_mut().zip(row(y)).for_each(|(s, v)| *s += v);
    }
    for (y, out_row) in out.chunks_exact_mut(w).enumerate() {
        let y = y as isize;
        let (before, after) = (row(y - r - 1), row(y + r + 1));
        let leaving = row(y - r);
        for ((o, s), ((&b, &a), &l)) in out_row
            .iter_mut()
            .zip(sum.iter_mut())
            .zip(before.iter().zip(after).zip(leaving))
        {
            *o = (*s + frac * (b + a)) * norm;
            *s += a - l;
        }
    }
}

/// Exposure and sensor noise, then 8 bits.
fn expose(light: &[f32], gain: f32, noise: f32, seed: u64) -> Vec<u8> {
    // `as u8` saturates, so adding 0.5 rounds and clamps in one go.
    if noise <= 0.0 {
        return light.iter().map(|&v| (v * gain + 0.5) as u8).collect();
    }
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(light.len());
    for pair in light.chunks(2) {
        let [n0, n1] = rng.noise_pair();
        out.push((pair[0] * gain + noise * n0 + 0.5) as u8);
        if let Some(&v) = pair.get(1) {
            out.push((v * gain + noise * n1 + 0.5) as u8);
        }
    }
    out
}

// ---- sources -------------------------------------------------------------------------------

/// Generated scenes as a [`FrameSource`]: the kiosk demo's simulated camera.
pub struct SyntheticSource {
    plan: Plan,
    label: String,
}

enum Plan {
    Once {
        scenes: Vec<(Scene, Option<GrayImage>)>,
        next: usize,
    },
    Presentations(Presentations),
}

impl std::fmt::Debug for SyntheticSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyntheticSource")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl SyntheticSource {
    /// Plays these scenes once, then ends (`Ok(None)`).
    pub fn new(scenes: Vec<(Scene, Option<GrayImage>)>) -> Self {
        let label = format!("synthetic scenes ({})", scenes.len());
        Self {
            plan: Plan::Once { scenes, next: 0 },
            label,
        }
    }

    /// Children showing these badges one after another, forever: each badge is held up for
    /// `frames_per_badge` frames (moving a little, as a hand does, blurred as it arrives), then
    /// `gap_frames` frames show the classroom with no badge. Each presentation has its own
    /// distance, angle, lighting and blur, all drawn from `seed`.
    pub fn presentations(
        codes: Vec<GrayImage>,
        frames_per_badge: u32,
        gap_frames: u32,
        size: (u32, u32),
        seed: u64,
    ) -> Self {
        let label = format!(
            "synthetic camera {}x{}, {} badges in turn",
            size.0.clamp(1, MAX_SIDE),
            size.1.clamp(1, MAX_SIDE),
            codes.len()
        );
        let plan = Plan::Presentations(Presentations {
            codes,
            frames_per_badge,
            gap_frames,
            size,
            seed,
            frame: 0,
            pose: None,
        });
        Self { plan, label }
    }
}

impl FrameSource for SyntheticSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        match &mut self.plan {
            Plan::Once { scenes, next } => {
                let Some((scene, code)) = scenes.get(*next) else {
                    return Ok(None);
                };
                *next += 1;
                Ok(Some(scene.render(code.as_ref())))
            }
            Plan::Presentations(p) => Ok(Some(p.next_frame())),
        }
    }

    fn describe(&self) -> String {
        self.label.clone()
    }
}

struct Presentations {
    codes: Vec<GrayImage>,
    frames_per_badge: u32,
    gap_frames: u32,
    size: (u32, u32),
    seed: u64,
    frame: u64,
    /// The current presentation's number and its held pose.
    pose: Option<(u64, Scene)>,
}

impl Presentations {
    fn next_frame(&mut self) -> Frame {
        let frame = self.frame;
        self.frame += 1;
        let base = Scene {
            width: self.size.0,
            height: self.size.1,
            seed: self.seed,
            frame,
            noise: 2.0,
            blur_px: 0.8,
            ..Scene::default()
        };
        let shown = u64::from(self.frames_per_badge);
        let cycle = shown + u64::from(self.gap_frames);
        if self.codes.is_empty() || cycle == 0 {
            return base.render(None);
        }
        let (presentation, at) = (frame / cycle, frame % cycle);
        if at >= shown {
            return base.render(None);
        }
        let held = match self.pose {
            Some((n, scene)) if n == presentation => scene,
            _ => {
                let scene = held_pose(base, self.seed, presentation);
                self.pose = Some((presentation, scene));
                scene
            }
        };
        let scene = jittered(held, self.seed, frame, at);
        let code = &self.codes[(presentation % self.codes.len() as u64) as usize];
        scene.render(Some(code))
    }
}

/// How one child holds the badge up: drawn once per presentation.
fn held_pose(base: Scene, seed: u64, presentation: u64) -> Scene {
    let mut rng = Rng::new(seed ^ presentation.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    Scene {
        distance_cm: rng.range(20.0, 45.0),
        centre: (rng.range(0.38, 0.62), rng.range(0.4, 0.62)),
        rotation_deg: rng.range(-20.0, 20.0),
        tilt_x_deg: rng.range(-18.0, 18.0),
        tilt_y_deg: rng.range(-18.0, 18.0),
        curve: rng.range(0.0, 0.25),
        blur_px: rng.range(0.5, 1.5),
        glare: if rng.chance(0.25) {
            rng.range(0.15, 0.45)
        } else {
            0.0
        },
        light: rng.range(0.6, 1.1),
        noise: rng.range(1.5, 4.0),
        ..base
    }
}

/// A hand is never still: small drift and wobble every frame, and motion blur while the badge
/// is still arriving.
fn jittered(held: Scene, seed: u64, frame: u64, into_presentation: u64) -> Scene {
    let mut rng = Rng::new(seed ^ frame.wrapping_mul(0xA076_1D64_78BD_642F));
    let t = into_presentation as f32;
    let arriving = (-t / 2.0).exp();
    Scene {
        centre: (
            held.centre.0 + 0.006 * (t * 0.7).sin() + rng.range(-0.002, 0.002) + 0.08 * arriving,
            held.centre.1 + 0.005 * (t * 0.5).cos() + rng.range(-0.002, 0.002),
        ),
        rotation_deg: held.rotation_deg + rng.range(-0.8, 0.8),
        tilt_x_deg: held.tilt_x_deg + rng.range(-1.5, 1.5),
        tilt_y_deg: held.tilt_y_deg + rng.range(-1.5, 1.5),
        blur_px: held.blur_px + 6.0 * arriving,
        ..held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "BI1-TEST-7Q2K-9XZ4";

    /// The code as the badge printer renders it: H level, 4-module quiet zone, 8 px modules.
    fn code(text: &str) -> GrayImage {
        let qr = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::H)
            .expect("the text fits a QR code");
        let modules = qr.width();
        let colors = qr.to_colors();
        let (quiet, px) = (4, 8);
        let side = ((modules + 2 * quiet) * px) as u32;
        GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = (x as usize / px, y as usize / px);
            let dark = (quiet..quiet + modules).contains(&mx)
                && (quiet..quiet + modules).contains(&my)
                && colors[(my - quiet) * modules + (mx - quiet)] == qrcode::Color::Dark;
            image::Luma([if dark { 0 } else { 255 }])
        })
    }

    /// Everything plain rqrr reads in the frame.
    fn decode(frame: &Frame) -> Vec<String> {
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| frame.get(x as u32, y as u32));
        img.detect_grids()
            .iter()
            .filter_map(|g| g.decode().ok().map(|(_, text)| text))
            .collect()
    }

    fn reads(scene: &Scene) -> bool {
        decode(&scene.render(Some(&code(TEXT)))) == [TEXT]
    }

    fn inverted(frame: &Frame) -> Frame {
        let data = frame.data().iter().map(|v| 255 - v).collect();
        Frame::from_luma(frame.width(), frame.height(), data).expect("same size")
    }

    #[test]
    fn a_clean_scene_decodes() {
        assert!(reads(&Scene::default()));
        assert!(reads(&Scene {
            width: 640,
            height: 480,
            distance_cm: 25.0,
            ..Scene::default()
        }));
    }

    #[test]
    fn mild_degradations_still_decode_with_plain_rqrr() {
        let mild = [
            Scene {
                rotation_deg: 33.0,
                ..Scene::default()
            },
            Scene {
                tilt_x_deg: 30.0,
                tilt_y_deg: -20.0,
                ..Scene::default()
            },
            Scene {
                curve: 0.3,
                ..Scene::default()
            },
            Scene {
                blur_px: 2.0,
                ..Scene::default()
            },
            Scene {
                light: 0.4,
                ..Scene::default()
            },
            Scene {
                noise: 6.0,
                ..Scene::default()
            },
            Scene {
                glare: 0.3,
                ..Scene::default()
            },
            Scene {
                jpeg_quality: 50,
                ..Scene::default()
            },
            Scene {
                distance_cm: 55.0,
                centre: (0.3, 0.7),
                ..Scene::default()
            },
            Scene {
                mirror: true,
                ..Scene::default()
            },
            Scene {
                background: Background::Gradient,
                seed: 5,
                ..Scene::default()
            },
        ];
        for scene in mild {
            assert!(reads(&scene), "{scene:?}");
        }
    }

    #[test]
    fn every_degradation_changes_the_frame() {
        let code = code(TEXT);
        let clean = Scene::default().render(Some(&code));
        let degraded = [
            Scene {
                rotation_deg: 10.0,
                ..Scene::default()
            },
            Scene {
                tilt_x_deg: 10.0,
                ..Scene::default()
            },
            Scene {
                tilt_y_deg: 10.0,
                ..Scene::default()
            },
            Scene {
                curve: 0.2,
                ..Scene::default()
            },
            Scene {
                blur_px: 1.0,
                ..Scene::default()
            },
            Scene {
                glare: 0.5,
                ..Scene::default()
            },
            Scene {
                light: 0.5,
                ..Scene::default()
            },
            Scene {
                noise: 3.0,
                ..Scene::default()
            },
            Scene {
                jpeg_quality: 30,
                ..Scene::default()
            },
            Scene {
                defocus: Some(Defocus { radius_px: 2.0 }),
                ..Scene::default()
            },
            Scene {
                motion_blur: Some(MotionBlur {
                    length_px: 4.0,
                    angle_deg: 10.0,
                }),
                ..Scene::default()
            },
            Scene {
                rolling_shutter: Some(RollingShutter { shift_px: 20.0 }),
                ..Scene::default()
            },
            Scene {
                sensor_noise: Some(SensorNoise::webcam(0.1)),
                ..Scene::default()
            },
            Scene {
                overshoot: Some(Overshoot { gain: 2.0 }),
                ..Scene::default()
            },
            Scene {
                backlight: Some(Backlight { brightness: 3.0 }),
                ..Scene::default()
            },
            Scene {
                mirror: true,
                ..Scene::default()
            },
            Scene {
                invert: true,
                ..Scene::default()
            },
            Scene {
                distance_cm: 40.0,
                ..Scene::default()
            },
            Scene {
                centre: (0.4, 0.5),
                ..Scene::default()
            },
            Scene {
                background: Background::Plain(90),
                ..Scene::default()
            },
        ];
        for scene in degraded {
            assert_ne!(scene.render(Some(&code)), clean, "{scene:?}");
        }
    }

    #[test]
    fn heavy_degradations_break_plain_rqrr() {
        // The degradations are strong enough to matter: the scanner must beat these.
        assert!(!reads(&Scene {
            blur_px: 12.0,
            ..Scene::default()
        }));
        assert!(!reads(&Scene {
            glare: 1.0,
            ..Scene::default()
        }));
        assert!(!reads(&Scene {
            light: 0.05,
            noise: 8.0,
            ..Scene::default()
        }));
    }

    /// The grey levels inside the code's square (its quiet zone excluded) of a face-on scene.
    fn code_pixels(scene: &Scene, frame: &Frame) -> Vec<u8> {
        let half = (scene.code_size_px() * 0.4) as u32;
        let (cx, cy) = (frame.width() / 2, frame.height() / 2);
        let mut v = Vec::new();
        for y in cy - half..cy + half {
            for x in cx - half..cx + half {
                v.push(frame.get(x, y));
            }
        }
        v
    }

    /// The spread between dark and light modules: 95th minus 5th percentile.
    fn contrast(pixels: &[u8]) -> i32 {
        let mut p = pixels.to_vec();
        p.sort_unstable();
        i32::from(p[p.len() * 95 / 100]) - i32::from(p[p.len() * 5 / 100])
    }

    #[test]
    fn rolling_shutter_shifts_later_rows_more() {
        let scene = Scene {
            background: Background::Plain(128),
            ..Scene::default()
        };
        let code = code(TEXT);
        let plain = scene.render(Some(&code));
        let shift_px = 144.0;
        let sheared = Scene {
            rolling_shutter: Some(RollingShutter { shift_px }),
            ..scene
        }
        .render(Some(&code));
        // Where the card's left edge (paper against the grey wall) is in a row.
        let left_edge = |frame: &Frame, y: u32| (0..frame.width()).find(|&x| frame.get(x, y) > 200);
        let half = (scene.code_size_px() * 0.45) as u32;
        let shift = |y: u32| {
            let (a, b) = (left_edge(&plain, y), left_edge(&sheared, y));
            f64::from(b.expect("card")) - f64::from(a.expect("card"))
        };
        let (top, bottom) = (360 - half, 360 + half);
        let expected = |y: u32| f64::from(shift_px) * ((f64::from(y) + 0.5) / 720.0 - 0.5);
        for y in [top, 360, bottom] {
            assert!(
                (shift(y) - expected(y)).abs() < 1.5,
                "row {y}: {} vs {}",
                shift(y),
                expected(y)
            );
        }
        assert!(shift(bottom) - shift(top) > 30.0);
    }

    #[test]
    fn backlight_darkens_the_badge_and_lowers_its_contrast() {
        let scene = Scene {
            noise: 1.0,
            blur_px: LENS_BLUR_PX,
            ..Scene::default()
        };
        let code = code(TEXT);
        let plain = scene.render(Some(&code));
        let backlit = Scene {
            backlight: Some(Backlight { brightness: 6.0 }),
            ..scene
        }
        .render(Some(&code));
        let (before, after) = (
            contrast(&code_pixels(&scene, &plain)),
            contrast(&code_pixels(&scene, &backlit)),
        );
        assert!(after * 4 < before, "contrast {before} -> {after}");
        // The window behind is white, far brighter than the badge's paper now.
        let window = backlit.get(300, 20);
        let paper = *code_pixels(&scene, &backlit).iter().max().expect("pixels");
        assert!(window > 240 && paper < 80, "window {window}, paper {paper}");
    }

    #[test]
    fn overshoot_clips_the_badge_to_white() {
        let scene = Scene {
            blur_px: LENS_BLUR_PX,
            ..Scene::default()
        };
        let code = code(TEXT);
        let plain = scene.render(Some(&code));
        let clipped = Scene {
            overshoot: Some(Overshoot { gain: 4.0 }),
            ..scene
        }
        .render(Some(&code));
        let white = |pixels: Vec<u8>| pixels.iter().filter(|&&v| v == 255).count();
        let n = code_pixels(&scene, &plain).len();
        assert_eq!(white(code_pixels(&scene, &plain)), 0);
        // The paper (about half the code) clips, and the ink is lifted from black.
        assert!(white(code_pixels(&scene, &clipped)) > n / 3);
        let darkest = *code_pixels(&scene, &clipped).iter().min().expect("pixels");
        assert!(darkest > 80, "{darkest}");
        // The room looks as it did: the camera's gain made up for its darkness.
        let (a, b) = (plain.get(40, 40), clipped.get(40, 40));
        assert!(a.abs_diff(b) <= 1, "{a} vs {b}");
    }

    #[test]
    fn defocus_and_motion_blur_soften_the_code() {
        let scene = Scene {
            blur_px: LENS_BLUR_PX,
            ..Scene::default()
        };
        let code = code(TEXT);
        let sharp = contrast(&code_pixels(&scene, &scene.render(Some(&code))));
        for degraded in [
            Scene {
                defocus: Some(Defocus { radius_px: 6.0 }),
                ..scene
            },
            Scene {
                motion_blur: Some(MotionBlur {
                    length_px: 20.0,
                    angle_deg: 30.0,
                }),
                ..scene
            },
        ] {
            let soft = contrast(&code_pixels(&scene, &degraded.render(Some(&code))));
            assert!(soft < sharp, "{soft} vs {sharp}: {degraded:?}");
        }
    }

    #[test]
    fn the_camera_degradations_range_from_readable_to_unreadable() {
        // Plain rqrr reads each one mildly and none at full strength, so a sweep between the
        // two finds a cliff.
        let scene = Scene {
            blur_px: LENS_BLUR_PX,
            noise: 1.0,
            ..Scene::default()
        };
        let mild_and_heavy = [
            (
                Scene {
                    defocus: Some(Defocus { radius_px: 1.0 }),
                    ..scene
                },
                Scene {
                    defocus: Some(Defocus { radius_px: 10.0 }),
                    ..scene
                },
            ),
            (
                Scene {
                    motion_blur: Some(MotionBlur {
                        length_px: 3.0,
                        angle_deg: 30.0,
                    }),
                    ..scene
                },
                Scene {
                    motion_blur: Some(MotionBlur {
                        length_px: 40.0,
                        angle_deg: 30.0,
                    }),
                    ..scene
                },
            ),
            (
                Scene {
                    sensor_noise: Some(SensorNoise::webcam(0.3)),
                    ..scene
                },
                Scene {
                    sensor_noise: Some(SensorNoise::webcam(0.0005)),
                    ..scene
                },
            ),
            (
                Scene {
                    overshoot: Some(Overshoot { gain: 1.5 }),
                    ..scene
                },
                Scene {
                    overshoot: Some(Overshoot { gain: 20.0 }),
                    ..scene
                },
            ),
            (
                Scene {
                    rolling_shutter: Some(RollingShutter { shift_px: 40.0 }),
                    ..scene
                },
                Scene {
                    rolling_shutter: Some(RollingShutter { shift_px: 3000.0 }),
                    ..scene
                },
            ),
            // Webcam-quality JPEG reads; a strong backlight does not.
            (
                Scene {
                    jpeg_quality: 60,
                    ..scene
                },
                Scene {
                    backlight: Some(Backlight { brightness: 50.0 }),
                    ..scene
                },
            ),
        ];
        for (mild, heavy) in mild_and_heavy {
            assert!(reads(&mild), "{mild:?}");
            assert!(!reads(&heavy), "{heavy:?}");
        }
    }

    #[test]
    fn an_inverted_badge_is_light_on_dark() {
        let scene = Scene {
            invert: true,
            background: Background::Plain(128),
            ..Scene::default()
        };
        let frame = scene.render(Some(&code(TEXT)));
        // The card around the code is dark now; the frame's negative reads normally.
        let centre = (frame.width() / 2, frame.height() / 2);
        let card_edge = frame.get(centre.0, centre.1 - (scene.code_size_px() * 0.6) as u32);
        assert!(card_edge < 60, "{card_edge}");
        assert_eq!(decode(&inverted(&frame)), [TEXT]);
    }

    #[test]
    fn the_mirrored_frame_is_the_horizontal_flip() {
        let scene = Scene {
            rotation_deg: 12.0,
            noise: 4.0,
            blur_px: 1.0,
            seed: 9,
            ..Scene::default()
        };
        let code = code(TEXT);
        let plain = scene.render(Some(&code));
        let mirrored = Scene {
            mirror: true,
            ..scene
        }
        .render(Some(&code));
        let w = plain.width() as usize;
        for (a, b) in plain
            .data()
            .chunks_exact(w)
            .zip(mirrored.data().chunks_exact(w))
        {
            assert!(a.iter().eq(b.iter().rev()));
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_frame() {
        let scene = Scene {
            noise: 5.0,
            glare: 0.4,
            blur_px: 1.5,
            seed: 77,
            ..Scene::default()
        };
        let code = code(TEXT);
        assert_eq!(scene.render(Some(&code)), scene.render(Some(&code)));
        assert_ne!(
            scene.render(Some(&code)),
            Scene { seed: 78, ..scene }.render(Some(&code))
        );
        // Another frame of the same scene: same room, new noise.
        let next = Scene { frame: 1, ..scene }.render(Some(&code));
        assert_ne!(scene.render(Some(&code)), next);
        let diff = scene
            .render(None)
            .data()
            .iter()
            .zip(Scene { frame: 1, ..scene }.render(None).data())
            .map(|(a, b)| i32::from(a.abs_diff(*b)))
            .sum::<i32>() as f64
            / f64::from(scene.width * scene.height);
        assert!(
            diff < 10.0,
            "only the noise differs, mean difference {diff}"
        );
    }

    #[test]
    fn distance_sets_the_size_by_the_pinhole_formula() {
        let scene = Scene {
            background: Background::Plain(128),
            ..Scene::default()
        };
        let expected = 1280.0 * CODE_CM / (2.0 * 30.0 * (HFOV_DEG.to_radians() / 2.0).tan());
        assert!((scene.code_size_px() - expected).abs() < 0.01);
        assert!((165.0..175.0).contains(&expected));
        // Measured: the QR symbol (without quiet zone) spans modules/(modules+8) of the code.
        let frame = scene.render(Some(&code(TEXT)));
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| frame.get(x as u32, y as u32));
        let grids = img.detect_grids();
        let grid = grids.first().expect("a code");
        let side = (grid.bounds[1].x - grid.bounds[0].x) as f32;
        let modules = qrcode::QrCode::with_error_correction_level(TEXT, qrcode::EcLevel::H)
            .expect("fits")
            .width() as f32;
        let expected_side = expected * modules / (modules + 8.0);
        assert!(
            (side - expected_side).abs() < 0.05 * expected_side,
            "{side} vs {expected_side}"
        );
        let near = Scene {
            distance_cm: 15.0,
            ..scene
        };
        assert!((near.code_size_px() / scene.code_size_px() - 2.0).abs() < 1e-3);
    }

    #[test]
    fn idle_frames_have_no_code() {
        for seed in 0..4 {
            let scene = Scene {
                seed,
                noise: 2.0,
                ..Scene::default()
            };
            assert!(decode(&scene.render(None)).is_empty());
            assert_eq!(
                scene.render(None),
                scene.render(Some(&GrayImage::new(0, 0)))
            );
        }
    }

    #[test]
    fn extreme_parameters_do_not_panic() {
        let code = code(TEXT);
        let tiny = GrayImage::new(1, 1);
        let huge_code = GrayImage::new(3000, 3000);
        let extremes = [
            Scene {
                distance_cm: 0.0,
                ..Scene::default()
            },
            Scene {
                distance_cm: -5.0,
                ..Scene::default()
            },
            Scene {
                distance_cm: f32::INFINITY,
                ..Scene::default()
            },
            Scene {
                rotation_deg: f32::NAN,
                tilt_x_deg: f32::NAN,
                ..Scene::default()
            },
            Scene {
                tilt_x_deg: 89.9,
                tilt_y_deg: -300.0,
                ..Scene::default()
            },
            Scene {
                curve: 1e9,
                ..Scene::default()
            },
            Scene {
                curve: -f32::NAN,
                ..Scene::default()
            },
            Scene {
                width: 1,
                height: 1,
                ..Scene::default()
            },
            Scene {
                width: 0,
                height: 0,
                ..Scene::default()
            },
            Scene {
                width: 2,
                height: 4000,
                blur_px: 1e6,
                ..Scene::default()
            },
            Scene {
                blur_px: 1e30,
                ..Scene::default()
            },
            Scene {
                blur_px: -3.0,
                glare: 9.0,
                light: -1.0,
                noise: 1e9,
                ..Scene::default()
            },
            Scene {
                centre: (f32::NAN, -1e9),
                ..Scene::default()
            },
            Scene {
                centre: (10.0, 10.0),
                distance_cm: 3.0,
                ..Scene::default()
            },
            Scene {
                jpeg_quality: 255,
                width: 3,
                height: 3,
                ..Scene::default()
            },
            Scene {
                width: 100_000,
                height: 1,
                ..Scene::default()
            },
            Scene {
                width: 3,
                height: 2,
                defocus: Some(Defocus { radius_px: 1e9 }),
                motion_blur: Some(MotionBlur {
                    length_px: f32::INFINITY,
                    angle_deg: f32::NAN,
                }),
                rolling_shutter: Some(RollingShutter { shift_px: -1e30 }),
                ..Scene::default()
            },
            Scene {
                width: 64,
                height: 48,
                sensor_noise: Some(SensorNoise {
                    light: -1.0,
                    electrons_at_white: f32::NAN,
                    read_noise_e: 1e30,
                    max_gain: f32::INFINITY,
                }),
                overshoot: Some(Overshoot { gain: f32::MAX }),
                backlight: Some(Backlight { brightness: -4.0 }),
                ..Scene::default()
            },
            Scene {
                rolling_shutter: Some(RollingShutter { shift_px: f32::NAN }),
                overshoot: Some(Overshoot { gain: f32::NAN }),
                backlight: Some(Backlight { brightness: 1e30 }),
                ..Scene::default()
            },
        ];
        for scene in extremes {
            for c in [Some(&code), Some(&tiny), None] {
                let frame = scene.render(c);
                assert!(frame.width() >= 1 && frame.height() >= 1);
            }
        }
        let _ = Scene {
            distance_cm: 15.0,
            ..Scene::default()
        }
        .render(Some(&huge_code));
    }

    #[test]
    fn blur_keeps_brightness_and_spreads_as_asked() {
        for blur_px in [0.5f32, 1.5, 4.0, 6.0, 20.0] {
            let (w, h) = (101, 9);
            let mut buf = vec![0.0f32; w * h];
            for row in buf.chunks_exact_mut(w) {
                row[50] = 100.0;
            }
            blur(&mut buf, w, h, blur_px);
            let row = &buf[4 * w..5 * w];
            let total: f32 = row.iter().sum();
            assert!((total - 100.0).abs() < 0.01, "{blur_px}: {total}");
            let var: f32 = row
                .iter()
                .enumerate()
                .map(|(x, v)| v * (x as f32 - 50.0).powi(2))
                .sum();
            let sigma = (var / total).sqrt();
            assert!(
                (sigma - blur_px / 2.0).abs() < 0.05 * blur_px,
                "{blur_px}: sigma {sigma}"
            );
        }
    }

    #[test]
    fn a_scene_list_plays_once() {
        let code = code(TEXT);
        let small = Scene {
            width: 640,
            height: 480,
            distance_cm: 20.0,
            ..Scene::default()
        };
        let mut source = SyntheticSource::new(vec![(small, Some(code)), (small, None)]);
        assert!(source.describe().contains('2'));
        assert_eq!(
            decode(&source.next_frame().expect("ok").expect("frame 1")),
            [TEXT]
        );
        assert!(decode(&source.next_frame().expect("ok").expect("frame 2")).is_empty());
        assert!(source.next_frame().expect("ok").is_none());
        assert!(source.next_frame().expect("ok").is_none());
    }

    #[test]
    fn presentations_show_each_badge_in_turn_forever() {
        let texts = ["BI1-AAAA-1111", "BI1-BBBB-2222"];
        let codes = texts.iter().map(|t| code(t)).collect();
        let (per_badge, gap) = (6, 2);
        let mut source = SyntheticSource::presentations(codes, per_badge, gap, (1280, 720), 3);
        let mut seen = Vec::new();
        for _ in 0..2 * 2 * (per_badge + gap) {
            let frame = source.next_frame().expect("ok").expect("never ends");
            assert_eq!((frame.width(), frame.height()), (1280, 720));
            seen.push(decode(&frame));
        }
        for (i, found) in seen.iter().enumerate() {
            let at = i as u32 % (per_badge + gap);
            let badge = (i as u32 / (per_badge + gap)) as usize % texts.len();
            if at >= per_badge {
                assert!(found.is_empty(), "frame {i} is a gap");
            } else {
                assert!(
                    found.iter().all(|t| t == texts[badge]),
                    "frame {i}: {found:?}"
                );
            }
        }
        // Once the hand has settled, every badge is readable by plain rqrr in most frames.
        for badge in 0..4 {
            let start = badge * (per_badge + gap) as usize;
            let settled = &seen[start + 3..start + per_badge as usize];
            assert!(
                settled.iter().filter(|f| !f.is_empty()).count() >= 2,
                "badge {badge}"
            );
        }
        let mut empty = SyntheticSource::presentations(vec![], 5, 5, (64, 48), 1);
        assert!(empty.next_frame().expect("ok").is_some());
    }
}

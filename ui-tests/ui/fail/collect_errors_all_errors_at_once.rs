use pypwext::collect_errors;

// Three problems, three errors in one build: the unknown argument, the second
// attribute, and the missing return type.
#[collect_errors(rot)]
#[collect_errors]
fn step() {}

fn main() {
    // The function is still emitted, so this call does not add a fourth error.
    step();
}

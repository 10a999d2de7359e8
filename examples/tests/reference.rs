//! Every example on the host mock equals its sequential reference, on every
//! test size and several lane counts.

use grafos_examples::catalog::{EXAMPLES, Example, test_sizes};
use grafos_examples::{inputs, wordcount};

fn check(example: &Example, workers: usize, input: &[u8]) {
    let host = (example.run_host)(workers, input)
        .unwrap_or_else(|e| panic!("{} on {workers} lanes: {e}", example.name));
    let reference = (example.reference)(input);
    if host.output() != reference.as_slice() {
        let at = host
            .output()
            .iter()
            .zip(&reference)
            .position(|(a, b)| a != b);
        panic!(
            "{} on {workers} lanes, {} input bytes: output differs from the reference at byte {:?} \
             ({} vs {} bytes)",
            example.name,
            input.len(),
            at,
            host.output().len(),
            reference.len()
        );
    }
}

#[test]
fn every_example_equals_its_reference() {
    for example in EXAMPLES {
        for (seed, elements) in test_sizes(example).into_iter().enumerate() {
            let input = (example.input)(elements, seed as u64);
            for workers in [2, 4, 9] {
                check(example, workers, &input);
            }
        }
    }
}

#[test]
fn every_example_equals_its_reference_on_odd_sizes() {
    for example in EXAMPLES {
        for elements in [3, 7, 8, 9, 31, 64, 127] {
            let input = (example.input)(elements, elements as u64 * 31);
            for workers in [3, 5, 17] {
                check(example, workers, &input);
            }
        }
    }
}

#[test]
fn every_example_takes_arbitrary_bytes() {
    // Inputs whose length fits no element size: trailing bytes are ignored
    // the same way by the tasklet and the reference, nothing panics.
    for example in EXAMPLES {
        for len in [1, 3, 5, 6, 7, 11, 4099] {
            check(example, 4, &inputs::bytes(len, len as u64));
        }
    }
}

#[test]
fn wordcount_agrees_with_str_on_valid_utf8() {
    for len in [0, 1, 17, 1000, 65_536] {
        let text = String::from_utf8(inputs::text(len, 9)).unwrap();
        assert_eq!(
            wordcount::reference(text.as_bytes()),
            wordcount::reference_via_str(&text)
        );
    }
}

#[test]
fn wordcount_counts_a_word_split_by_every_partition_once() {
    // One long word and multi-byte characters straddling every block edge.
    let text = "résumé résumé  データ\u{3000}データ\n🦀🦀🦀 x".repeat(7);
    let expected = wordcount::reference_via_str(&text);
    for workers in 2..=24 {
        let run = grafos_examples::catalog::find("wordcount")
            .unwrap()
            .run_host;
        assert_eq!(
            run(workers, text.as_bytes()).unwrap().output(),
            expected,
            "{workers} lanes"
        );
    }
}

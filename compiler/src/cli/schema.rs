//! `gtc schema`: print the JSON Schema of formula files (for taplo, yaml-language-server
//! and VS Code's JSON validation), generated from the key schema the compiler checks with.

use std::io::Write;

pub(super) fn run(out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match out.write_all(crate::model::schema::json_schema().as_bytes()) {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(err, "error: cannot write the schema: {e}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    struct Broken;

    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("closed"))
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn prints_the_schema_or_exits_2_when_it_cannot() {
        let env = crate::cli::Env::default();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = crate::cli::run(
            vec!["gtc".into(), "schema".into()],
            &env,
            &mut out,
            &mut err,
        );
        assert_eq!(status, 0);
        assert_eq!(
            String::from_utf8_lossy(&out),
            crate::model::schema::json_schema()
        );
        let status = crate::cli::run(
            vec!["gtc".into(), "schema".into()],
            &env,
            &mut Broken,
            &mut err,
        );
        assert_eq!(status, 2);
        assert!(String::from_utf8_lossy(&err).contains("cannot write the schema: closed"));
    }
}

import Testing
@testable import ParrunCore
@testable import ParrunModel

/// Recipe templates in `defaults` and `--prompt-template`.
@Suite struct TemplateTests {
    @Test func aDefaultRecipeIsFilledInPerTicketAndShellValuesStayText() {
        let read = tickets(#"""
            {"defaults": {"run": "echo {{id}} {{ title }} by {{owner}} after {{deps}}; echo {{tags}}"},
             "tickets": [
               {"id": "a", "title": "$(rm -rf ~) it's", "owner": "ann", "tags": ["x y", "z"]},
               {"id": "b", "dependsOn": ["a"], "title": "B", "owner": "bob", "tags": "t", "run": "own {{id}} stays"}
             ]}
            """#)
        #expect(read.map(\.recipe) == [
            .shell(#"echo 'a' '$(rm -rf ~) it'\''s' by 'ann' after ; echo 'x y' 'z'"#),
            .shell("own {{id}} stays"),
        ])
    }

    @Test func aPromptTemplateIsTextAsWritten() {
        let read = tickets(lines(
            "a:", "    @title Fix the parser", "    @description It trips on tabs", "    @area manifest",
            "b: a", "    @area cli"))
        let prompt = "Ticket {{id}}: {{title}}\n{{description}}\nArea {{area}}, after {{deps}}. {{ not a name }} {{}}"
        #expect(Template.render(prompt, for: read[0], as: .prompt) == .success("Ticket a: Fix the parser\nIt trips on tabs\nArea manifest, after . {{ not a name }} {{}}"))
        #expect(Template.render(prompt, for: read[1], as: .prompt) == .success("Ticket b: \n\nArea cli, after a. {{ not a name }} {{}}"))
        #expect(Template.render("one\ntwo {{missing}}", for: read[0], as: .prompt)
            == .failure(.init(name: "missing", line: 2, reason: "ticket 'a' has no field `missing` (every ticket has id, title, description, deps, priority)")))
        #expect(Template.shellQuoted("it's") == #"'it'\''s'"#)
    }

    @Test func anUnknownFieldIsAnErrorAtTheTemplatesLine() {
        let (_, problems) = check(#"{"defaults": {"prompt": ["Hello {{id}}", "Owner {{owner}}"]}, "tickets": [{"id": "a"}]}"#)
        #expect(problems == [
            "1:42: error: line 2 of the `defaults.prompt` template: `{{owner}}`: ticket 'a' has no field `owner` (every ticket has id, title, description, deps, priority)",
        ])
    }

    @Test func promptTemplateFileGivesEveryTicketWithoutRecipeAPrompt() throws {
        let directory = try CLITests.directory([
            "Parrunfile": "x:\n    @title Why\ny: x\nz:\n    echo own\n",
            "good.tpl": "Do {{title}} ({{id}})\n",
            "bad.tpl": "ok\nDo {{nope}}\n",
        ])
        let plan = try CLITests.run(["-n", "--prompt-template", "good.tpl"], in: directory)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("  x  prompt  prio 0"), "\(plan.stdout)")
        #expect(plan.stdout.contains("  z  shell   prio 0"), "\(plan.stdout)")
        let bad = try CLITests.run(["-n", "--prompt-template", "bad.tpl"], in: directory)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("parrun: error: bad.tpl:2: `{{nope}}`: ticket 'x' has no field `nope`"), "\(bad.stderr)")
        #expect(bad.stderr.contains("parrun: 2 errors in bad.tpl; nothing was run"), "\(bad.stderr)")
        let missing = try CLITests.run(["-n", "--prompt-template", "none.tpl"], in: directory)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read prompt template none.tpl"), "\(missing.stderr)")
    }
}

/// The text format's `verify:` block.
@Suite struct VerifyBlockTests {
    @Test func aVerifyBlockHoldsTheDeeperIndentedLines() {
        let read = tickets(lines(
            "a:", "    echo one > out.txt", "    verify:", "        test -s out.txt", "          grep -q one out.txt",
            "    echo two >> out.txt", "b:", "    @verify true", "    make"))
        #expect(read[0].recipe == .shell("echo one > out.txt\necho two >> out.txt"))
        #expect(read[0].field("verify")?.stringValue == "test -s out.txt\n  grep -q one out.txt")
        #expect(read[1].field("verify")?.stringValue == "true")
        #expect(read[1].verifyScript == "true")
        let (_, problems) = check(lines("a:", "    @verify true", "    verify:", "        false"))
        #expect(problems.count == 1)
        #expect(problems.first?.contains("verify") == true, "\(problems)")
    }
}

# Not a suite of the repository: PesterRunnerTests runs it to prove that failures reach the test command.
Describe 'A suite with failures' {
    It 'passes' {
        1 + 1 | Should -Be 2
    }

    It 'fails on purpose' {
        'actual' | Should -Be 'expected'
    }
}

Describe 'A block whose set-up fails' {
    BeforeAll {
        throw 'set-up failed on purpose'
    }

    It 'never runs' {
        $true | Should -BeTrue
    }
}

import Spicerack

/// Which files of a tree go into the build and which cookbooks they define, after the naming rules.
struct TreePlan {
    /// A cookbook to register.
    struct Cookbook: Equatable {
        var typeName: String
        /// Whether it adopts the runner API (`Cookbook`) rather than `SimpleCookbook`.
        var isRunner: Bool
        var name: String
        var group: String
        var file: CookbookSourceTree.SourceFile
    }

    /// Files compiled in (cookbooks and helpers).
    var files: [CookbookSourceTree.SourceFile]
    /// Cookbooks to register, by name.
    var cookbooks: [Cookbook]
    /// Files left out, and why.
    var problems: [BuildProblem]

    /// Plans the build of `tree` leaving out the files in `excluded` (with their problems already recorded).
    init(tree: CookbookSourceTree, excluded: [String: BuildProblem]) {
        var files: [CookbookSourceTree.SourceFile] = []
        var cookbooks: [Cookbook] = []
        var problems = tree.problems + excluded.values.sorted { $0.file < $1.file }
        var typeOwners: [String: String] = [:]
        for file in tree.files where excluded[file.path] == nil {
            if file.isHelper {
                files.append(file)
                continue
            }
            let declarations = CookbookTypeScanner.declarations(in: file.contents)
            if declarations.isEmpty {
                problems.append(
                    BuildProblem(
                        file: file.path, line: 1, column: 1,
                        message:
                            "no cookbook found: declare a type conforming to SimpleCookbook or Cookbook (files starting with _ are helpers)"
                    ))
                continue
            }
            if let clash = declarations.first(where: { typeOwners[$0.typeName] != nil }),
                let other = typeOwners[clash.typeName]
            {
                problems.append(
                    BuildProblem(
                        file: file.path, line: clash.line, column: 1,
                        message: "type name \(clash.typeName) is also declared in \(other); cookbook type names must be unique in a tree"))
                continue
            }
            for declaration in declarations { typeOwners[declaration.typeName] = file.path }
            files.append(file)
            let multiple = declarations.count > 1
            for declaration in declarations {
                let name = multiple ? "\(file.dottedName).\(declaration.typeName)" : file.dottedName
                cookbooks.append(
                    Cookbook(
                        typeName: declaration.typeName, isRunner: declaration.isRunner, name: name, group: file.group,
                        file: file))
            }
        }
        self.files = files
        self.cookbooks = cookbooks.sorted { $0.name < $1.name }
        self.problems = problems
    }
}

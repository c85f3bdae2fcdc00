from tousu.flows.intake.decoding import decode_export


def test_gbk_file_decodes_as_gbk():
    data = "通话编号,客户姓名\nC1,张伟\n".encode("gbk")
    decoded = decode_export(data, "gbk")
    assert decoded.text == "通话编号,客户姓名\nC1,张伟\n"
    assert decoded.encoding == "gbk" and decoded.bad_lines == [] and decoded.note is None


def test_gbk_export_resaved_as_utf8_is_read_as_utf8_with_a_note():
    data = "通话编号,客户姓名\nC1,张伟\n".encode()
    decoded = decode_export(data, "gbk")
    assert decoded.text.splitlines()[1] == "C1,张伟"
    assert decoded.encoding == "utf-8"
    assert "expected gbk but the file is UTF-8" in decoded.note


def test_utf8_bom_is_dropped():
    decoded = decode_export("\ufeffa,b\n1,中\n".encode(), "utf-8")
    assert decoded.text == "a,b\n1,中\n"


def test_lines_in_another_encoding_are_marked_and_keep_their_place():
    data = "a,b\n1,好\n".encode() + "2,坏行\n".encode("gbk") + "3,好\n".encode()
    decoded = decode_export(data, "utf-8")
    assert decoded.bad_lines == [2]
    lines = decoded.text.split("\n")
    assert lines[1] == "1,好" and lines[3] == "3,好"
    assert "\ufffd" in lines[2]


def test_latin_text_read_as_gbk_is_noted_with_its_line_and_chinese_text_is_not():
    """Only characters outside GB2312 can be Latin-1 read as GBK ('Renée' reads 'Ren閑'); rare
    Chinese characters outside it (堃, 喆) and character references written in the text itself
    do not make a note, and a real pair does, with its first line."""
    chinese = "客户,描述\n张堃,热水壶&#38289;坏了&#99999999;\n李喆,退款 &#38;\n".encode("gbk")
    assert decode_export(chinese, "gbk").notes == []
    latin = chinese + "Renée,broken kettle\n".encode("cp1252")
    [note] = decode_export(latin, "gbk").notes
    assert "1 line(s) look like Windows-1252" in note and "line 4: 'Ren閑" in note

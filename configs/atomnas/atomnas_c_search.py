_base_ = ['./atomnas-c-search_8xb256_in1k.py']  # alias (issue 4's name)
